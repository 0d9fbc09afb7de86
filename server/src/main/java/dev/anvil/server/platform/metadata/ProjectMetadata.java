package dev.anvil.server.platform.metadata;

import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
import dev.anvil.server.platform.Version;
import io.helidon.dbclient.DbClient;

/**
 * What the project contains, in the shapes of {@code GET /api/metadata} and its slices (contract §8,
 * shared-schemas' {@code AppMetadataSchema}), read straight from the platform's tables and the
 * catalog. The auth slice comes from the auth domain, which owns that configuration.
 */
public final class ProjectMetadata {

    private static final double BYTES_PER_GB = 1024d * 1024 * 1024;

    /** User tables of {@code public}; names starting with {@code _} are internal, as in InsForge. */
    private static final String USER_TABLES = """
            SELECT c.relname AS "tableName", %s AS "recordCount"
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT LIKE '\\_%%'
            ORDER BY c.relname""";
    /** Exact counts for every table in one round trip: query_to_xml runs a count per row. */
    private static final String EXACT_COUNT = "(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', "
            + "n.nspname, c.relname), false, true, '')))[1]::text::bigint";
    private static final String ESTIMATED_COUNT = "GREATEST(c.reltuples, 0)::bigint";

    private static final String BUCKETS = """
            SELECT b.name, b.public, %s AS "createdAt", count(o.key) AS "objectCount"
            FROM storage.buckets b LEFT JOIN storage.objects o ON o.bucket = b.name
            GROUP BY b.name ORDER BY b.name""".formatted(JsonRows.isoTime("b.created_at"));
    private static final String FUNCTIONS = "SELECT slug, name, description, status FROM functions.definitions ORDER BY slug";
    private static final String CHANNELS = """
            SELECT id::text AS id, pattern, description, webhook_urls AS "webhookUrls", enabled,
                   %s AS "createdAt", %s AS "updatedAt"
            FROM realtime.channels ORDER BY pattern""".formatted(JsonRows.isoTime("created_at"), JsonRows.isoTime("updated_at"));
    /** InsForge leaves its own system policy out of the realtime permissions. */
    private static final String REALTIME_POLICIES = """
            SELECT policyname AS "policyName", tablename AS "tableName", cmd AS command, roles::text[] AS roles,
                   qual AS using, with_check AS "withCheck"
            FROM pg_policies WHERE schemaname = 'realtime' AND tablename = ? AND policyname <> 'project_admin_policy'
            ORDER BY policyname""";

    private final DbClient db;
    private final RoleTransaction transactions;
    private final Duration countTimeout;
    private final Supplier<ObjectNode> auth;

    /**
     * @param db           the server's own connection, for the platform tables and database size
     * @param transactions user tables are counted as {@code project_admin}, like the tables API sees them
     * @param countTimeout how long exact counting may take before the planner's estimates are answered
     * @param auth         the auth slice, from the auth domain
     */
    public ProjectMetadata(DbClient db, RoleTransaction transactions, Duration countTimeout, Supplier<ObjectNode> auth) {
        this.db = db;
        this.transactions = transactions;
        this.countTimeout = countTimeout;
        this.auth = auth;
    }

    /** {@code {auth, database, storage, functions, realtime, version}}. */
    public ObjectNode all() throws SQLException {
        ObjectNode metadata = Json.object();
        metadata.set("auth", auth());
        metadata.set("database", database());
        metadata.set("storage", storage());
        metadata.set("functions", functions());
        metadata.set("realtime", realtime());
        metadata.put("version", Version.current());
        return metadata;
    }

    public ObjectNode auth() {
        return auth.get();
    }

    /** {@code {tables: [{tableName, recordCount}], totalSizeInGB}}. */
    public ObjectNode database() throws SQLException {
        ObjectNode database = Json.object();
        database.set("tables", tables());
        long bytes = db.execute().get("SELECT pg_database_size(current_database()) AS bytes")
                .map(row -> row.column("bytes").get(Long.class)).orElse(0L);
        database.put("totalSizeInGB", bytes / BYTES_PER_GB);
        return database;
    }

    /** {@code {buckets: [{name, public, createdAt, objectCount}], totalSizeInGB}}. */
    public ObjectNode storage() {
        ObjectNode storage = Json.object();
        storage.set("buckets", JsonRows.query(db, BUCKETS));
        long bytes = db.execute().get("SELECT coalesce(sum(size), 0)::bigint AS bytes FROM storage.objects")
                .map(row -> row.column("bytes").get(Long.class)).orElse(0L);
        storage.put("totalSizeInGB", bytes / BYTES_PER_GB);
        return storage;
    }

    /** {@code [{slug, name, description, status}]}. */
    public ArrayNode functions() {
        return JsonRows.query(db, FUNCTIONS);
    }

    /** {@code {channels, permissions: {subscribe: {policies}, publish: {policies}}}}. */
    public ObjectNode realtime() {
        ObjectNode realtime = Json.object();
        realtime.set("channels", JsonRows.query(db, CHANNELS));
        ObjectNode permissions = realtime.putObject("permissions");
        permissions.putObject("subscribe").set("policies", JsonRows.query(db, REALTIME_POLICIES, "channels"));
        permissions.putObject("publish").set("policies", JsonRows.query(db, REALTIME_POLICIES, "messages"));
        return realtime;
    }

    /**
     * Exact record counts, unless counting every table takes longer than the configured time (a huge
     * table, a lock) or a table cannot be read; then the planner's estimates for all, so metadata
     * still answers at once.
     */
    private ArrayNode tables() throws SQLException {
        return transactions.run(Principal.PROJECT_ADMIN, new Principal.ApiKey().claimsJson(), true, connection -> {
            Savepoint beforeCount = connection.setSavepoint();
            try {
                RoleTransaction.limitStatementTime(connection, countTimeout);
                ArrayNode exact = JsonRows.query(connection, USER_TABLES.formatted(EXACT_COUNT));
                connection.releaseSavepoint(beforeCount);
                return exact;
            } catch (SQLException e) {
                // 57014: the timeout; 42501: a table project_admin may not read (created by another role).
                if (!"57014".equals(e.getSQLState()) && !"42501".equals(e.getSQLState())) {
                    throw e;
                }
                connection.rollback(beforeCount);
                return JsonRows.query(connection, USER_TABLES.formatted(ESTIMATED_COUNT));
            }
        });
    }
}
