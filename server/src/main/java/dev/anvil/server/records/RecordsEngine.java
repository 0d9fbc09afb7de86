package dev.anvil.server.records;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.PgNotificationListener;
import dev.anvil.server.records.exec.Outcome;
import dev.anvil.server.records.exec.QueryRunner;
import dev.anvil.server.records.exec.Session;
import dev.anvil.server.records.exec.SqlErrors;
import dev.anvil.server.records.parse.ApiRequest;
import dev.anvil.server.records.parse.Payload;
import dev.anvil.server.records.parse.Preferences;
import dev.anvil.server.records.parse.RequestParser;
import dev.anvil.server.records.plan.ActionPlan;
import dev.anvil.server.records.plan.Planner;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.SchemaCache;
import dev.anvil.server.records.schema.SchemaCacheHolder;
import dev.anvil.server.records.schema.SchemaCacheLoader;
import dev.anvil.server.records.schema.SqlNames;
import dev.anvil.server.records.schema.Table;
import dev.anvil.server.records.sql.SqlBuilder;
import dev.anvil.server.records.sql.StatementSql;

/**
 * The PostgREST-compatible records engine: parse → plan → SQL → one round trip → response, over a
 * schema cache read from pg_catalog. The cache reloads on {@code NOTIFY pgrst} (PostgREST's channel),
 * when {@link #reloadSchemaCache()} is called after DDL, and once when a request names something it
 * does not know.
 */
public final class RecordsEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RecordsEngine.class.getName());
    /** Errors that mean the statement was built from a stale cache (a table or column changed under it). */
    private static final Set<String> STALE_CACHE_STATES = Set.of("42P01", "42703", "42883", "0A000");
    /** Schema reloads are rare; the LISTEN loop wakes this often only for the keep-alive ping and shutdown. */
    private static final Duration SCHEMA_LISTEN_POLL = Duration.ofSeconds(5);

    private final SchemaCacheHolder cache;
    private final QueryRunner runner;
    private final PgNotificationListener listener;
    private final Map<String, LongAdder> sqlErrors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> statementErrors = new ConcurrentHashMap<>();

    private RecordsEngine(SchemaCacheHolder cache, QueryRunner runner, PgNotificationListener listener) {
        this.cache = cache;
        this.runner = runner;
        this.listener = listener;
    }

    /** Starts the engine on the server's pool, with its own LISTEN connection for {@code pgrst}. */
    public static RecordsEngine start(AnvilConfig config, Database database) {
        List<String> schemas = config.find(RecordsSettings.SCHEMAS)
                .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        SchemaCacheHolder holder = new SchemaCacheHolder(database.dataSource(), new SchemaCacheLoader(schemas));
        holder.reload();
        PgNotificationListener listener = PgNotificationListener.start("anvil-listen", database.location(),
                List.of("pgrst"), SCHEMA_LISTEN_POLL, new SchemaReloads(holder));
        return new RecordsEngine(holder, new QueryRunner(database.dataSource(),
                config.getInt(dev.anvil.server.db.DatabaseSettings.POOL_SIZE)), listener);
    }

    /**
     * {@code NOTIFY pgrst} (empty or {@code reload schema}) reloads the cache, as in PostgREST; so does
     * a reconnect, since a NOTIFY sent while the connection was down is lost.
     */
    private record SchemaReloads(SchemaCacheHolder holder) implements PgNotificationListener.Handler {
        @Override
        public void connected(Connection connection, boolean reconnect) {
            if (reconnect) {
                holder.reload();
            }
        }

        @Override
        public void notifications(Connection connection, List<PgNotificationListener.Notification> batch) {
            // However many arrived together, one reload reads the catalog as it is now.
            if (batch.stream().map(PgNotificationListener.Notification::payload)
                    .anyMatch(payload -> payload == null || payload.isEmpty() || payload.startsWith("reload"))) {
                holder.reload();
            }
        }
    }

    /** Re-reads the schema cache now (the database module calls this after DDL). */
    public void reloadSchemaCache() {
        cache.reload();
    }

    public SchemaCache schemaCache() {
        return cache.get();
    }

    /** Who is calling, as the database sees it. */
    public record Caller(String role, String claimsJson, boolean authenticated) {
    }

    /**
     * Per-route behaviour.
     *
     * @param dropEmptyStrings InsForge's proxy quirk: {@code ""} values for non-text columns are dropped
     */
    public record Options(boolean dropEmptyStrings) {
    }

    /** Answers one request; never throws for anything a client can cause. */
    public EngineResponse handle(RequestParser.RawRequest raw, Caller caller, Options options) {
        try {
            return handleOrThrow(raw, caller, options);
        } catch (PgrstError e) {
            return EngineResponse.error(e);
        } catch (SqlBuilder.InvalidValueException e) {
            return EngineResponse.error(PgrstError.dataError("22021", e.getMessage()));
        }
    }

    private EngineResponse handleOrThrow(RequestParser.RawRequest raw, Caller caller, Options options) {
        SchemaCache snapshot = cache.get();
        ApiRequest request = RequestParser.parse(raw, snapshot.schemas());
        ActionPlan plan;
        try {
            plan = Planner.plan(prepare(request, snapshot, options), snapshot);
        } catch (Planner.MissingName missing) {
            SchemaCache newer;
            if (missing.relation() != null || missing.function() != null) {
                newer = cache.catalogHas(missing.relation(), missing.function()) ? cache.reloadIfStill(snapshot) : snapshot;
            } else {
                newer = cache.refreshAfterMiss(snapshot);
            }
            if (newer == snapshot) {
                throw missing.error();
            }
            snapshot = newer;
            try {
                plan = Planner.plan(prepare(request, snapshot, options), snapshot);
            } catch (Planner.MissingName stillMissing) {
                throw stillMissing.error();
            }
        }
        Session session = session(raw, request, caller);
        try {
            try {
                return execute(plan, session);
            } catch (SQLException e) {
                if (!"0A000".equals(e.getSQLState()) || e.getMessage() == null || !e.getMessage().contains("cached plan")) {
                    throw e;
                }
                // A table changed under a server-prepared statement; pgjdbc has dropped it, so run it again.
                return execute(plan, session);
            }
        } catch (SQLException e) {
            if (STALE_CACHE_STATES.contains(e.getSQLState()) && cache.refreshAfterMiss(snapshot) != snapshot) {
                // The catalog changed since the cache was read: plan again on the new one, once.
                SchemaCache newer = cache.get();
                try {
                    return execute(Planner.plan(prepare(request, newer, options), newer), session);
                } catch (Planner.MissingName missing) {
                    throw missing.error();
                } catch (SQLException again) {
                    throw failure(again, caller);
                }
            }
            throw failure(e, caller);
        }
    }

    private EngineResponse execute(ActionPlan plan, Session session) throws SQLException {
        SqlBuilder main = StatementSql.main(plan, session.role());
        SqlBuilder explain = StatementSql.explain(plan);
        boolean rollback = plan.request().preferences().tx() == Preferences.Tx.ROLLBACK
                && !plan.request().action().readOnly();
        try {
            Outcome outcome = runner.run(session, explain, main, ResponseShaper.check(plan), rollback);
            return ResponseShaper.respond(plan, outcome);
        } catch (SQLException e) {
            if (locatedInStatement(e)) {
                // Postgres found the fault in the statement text itself, which is all ours: a bug to fix.
                statementErrors.computeIfAbsent(e.getSQLState(), k -> new LongAdder()).increment();
                LOG.log(Level.ERROR, "Records statement rejected by Postgres (" + e.getSQLState() + " " + e.getMessage()
                        + "): " + main.text());
            }
            throw e;
        }
    }

    /**
     * Errors Postgres locates at a position of the statement (syntax, undefined names): those are in
     * SQL we wrote. Errors from values (bad input, tsquery syntax) come from bound parameters and
     * carry no position.
     */
    private static boolean locatedInStatement(SQLException e) {
        return e instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null
                && psql.getServerErrorMessage().getPosition() > 0 && e.getSQLState() != null
                && e.getSQLState().startsWith("42");
    }

    private PgrstError failure(SQLException e, Caller caller) {
        String state = e.getSQLState() == null ? "?" : e.getSQLState();
        sqlErrors.computeIfAbsent(state, k -> new LongAdder()).increment();
        PgrstError error = SqlErrors.toPgrst(e, caller.authenticated());
        if (error.status() >= 500) {
            LOG.log(Level.WARNING, "Records statement failed with " + state + ": " + e.getMessage());
        }
        return error;
    }

    /** InsForge's body preprocessing, applied to the parsed body before planning. */
    private static ApiRequest prepare(ApiRequest request, SchemaCache snapshot, Options options) {
        if (!options.dropEmptyStrings() || request.payload() == null || request.action().isCall()) {
            return request;
        }
        Table table = snapshot.table(request.target()).orElse(null);
        if (table == null) {
            return request;
        }
        Payload payload = request.payload().withoutEmptyStrings(name ->
                table.column(name).map(c -> c.kind() == Column.TypeKind.TEXT).orElse(true));
        if (payload == request.payload()) {
            return request;
        }
        return new ApiRequest(request.action(), request.target(), request.query(), request.preferences(), request.media(),
                request.profileNegotiated(), request.offset(), request.limit(), payload);
    }

    private static Session session(RequestParser.RawRequest raw, ApiRequest request, Caller caller) {
        String schema = request.target().schema();
        String searchPath = schema.equals("public") ? "\"public\"" : SqlNames.quote(schema) + ", \"public\"";
        String path = "/" + (raw.rpc() ? "rpc/" : "") + raw.name();
        String timezone = request.preferences().timezone();
        return new Session(caller.role(), caller.claimsJson(), caller.authenticated(), raw.method(), path,
                raw.headers().json(), searchPath, request.action().readOnly(), timezone);
    }

    /** How often each SQLSTATE came back from Postgres (the fuzz test checks no statement of ours is malformed). */
    public Map<String, Long> sqlErrorCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        sqlErrors.forEach((state, count) -> counts.put(state, count.sum()));
        return counts;
    }

    /**
     * Class-42 errors Postgres located in the statement text, by SQLSTATE: each is a statement the
     * engine should never have written (the fuzz test requires none).
     */
    public Map<String, Long> statementErrorCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        statementErrors.forEach((state, count) -> counts.put(state, count.sum()));
        return counts;
    }

    @Override
    public void close() {
        listener.close();
    }
}
