package dev.anvil.server.platform;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.database.DatabaseApiSettings;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.platform.docs.DocsLibrary;
import dev.anvil.server.platform.docs.DocsService;
import dev.anvil.server.platform.logs.AuditTrail;
import dev.anvil.server.platform.logs.BufferedLogSource;
import dev.anvil.server.platform.logs.LogSources;
import dev.anvil.server.platform.logs.LogsService;
import dev.anvil.server.platform.logs.PostgresLogFile;
import dev.anvil.server.platform.logs.RecentLogRecords;
import dev.anvil.server.platform.metadata.MetadataService;
import dev.anvil.server.platform.metadata.ProjectMetadata;
import io.helidon.webserver.http.HttpRouting;

/**
 * The platform domain's routes — {@code /api/usage}, {@code /api/metadata}, {@code /api/docs},
 * {@code /api/logs}, and 501 answers for the InsForge features Anvil lacks — and the audit log
 * other domains write to. ({@code /api/health} is mounted on its own, first: it needs nothing.)
 */
public final class PlatformDomain {

    /** Helidon's access log loggers ({@code …AccessLog.@default} per socket): a record per request, when on. */
    static final String ACCESS_LOGGER = "io.helidon.webserver.AccessLog";
    /** Everything the functions domain logs, including what it relays from function code. */
    static final String FUNCTIONS_LOGGERS = "dev.anvil.server.functions";

    private final AnvilConfig config;
    private final Database database;
    private final Credentials credentials;
    private final AuditLog auditLog;
    private final LogSources logSources;

    private PlatformDomain(AnvilConfig config, Database database, Credentials credentials, RecentLogRecords records,
                           Optional<Path> postgresLog) {
        this.config = config;
        this.database = database;
        this.credentials = credentials;
        this.auditLog = new AuditLog(database.client());
        this.logSources = logSources(records, postgresLog);
    }

    /**
     * @param records     the server's recent log records
     * @param postgresLog the embedded Postgres' log file, when the database is embedded
     */
    public static PlatformDomain create(AnvilConfig config, Database database, Credentials credentials,
                                        RecentLogRecords records, Optional<Path> postgresLog) {
        return new PlatformDomain(config, database, credentials, records, postgresLog);
    }

    public AuditLog auditLog() {
        return auditLog;
    }

    /** @param authMetadata the auth slice of the metadata, from the auth domain */
    public void register(HttpRouting.Builder routing, Supplier<ObjectNode> authMetadata) {
        RoleTransaction transactions = new RoleTransaction(database.dataSource());
        ProjectMetadata metadata = new ProjectMetadata(database.client(), transactions,
                config.getSeconds(DatabaseApiSettings.COUNT_TIMEOUT), authMetadata);
        routing.register("/api/usage", new UsageService(credentials, database.client()));
        routing.register("/api/metadata", new MetadataService(credentials, metadata, transactions, database.client(),
                database.location(), config.getBoolean(PlatformSettings.EXPOSE_DATABASE_CREDENTIALS),
                config.find(PlatformSettings.PROJECT_ID)));
        routing.register("/api/docs", new DocsService(new DocsLibrary()));
        routing.register("/api/logs", new LogsService(credentials, new AuditTrail(database.client()), logSources));
        UnavailableFeatures.register(routing);
    }

    /**
     * The sources InsForge clients know, as far as Anvil has them: its own log as
     * {@code insforge.logs}, the functions domain's log as {@code function.logs}, the embedded
     * Postgres' file as {@code postgres.logs}, and the access log.
     */
    private static LogSources logSources(RecentLogRecords records, Optional<Path> postgresLog) {
        LogSources sources = new LogSources()
                .add(new BufferedLogSource("insforge.logs", "anvil-server", records,
                        logger -> !logger.startsWith(ACCESS_LOGGER) && !logger.startsWith(FUNCTIONS_LOGGERS)))
                .add(new BufferedLogSource("function.logs", "anvil-functions", records,
                        logger -> logger.startsWith(FUNCTIONS_LOGGERS)))
                .add(new BufferedLogSource("access.logs", "anvil-access-log", records,
                        logger -> logger.startsWith(ACCESS_LOGGER)));
        postgresLog.ifPresentOrElse(file -> sources.add(new PostgresLogFile(file)),
                () -> sources.unavailable("postgres.logs",
                        "the database runs outside Anvil (DATABASE_URL); read its logs where it runs"));
        return sources.unavailable("postgREST.logs", "Anvil serves the records API itself, there is no PostgREST "
                + "process to log; record requests are in access.logs and their errors in insforge.logs");
    }
}
