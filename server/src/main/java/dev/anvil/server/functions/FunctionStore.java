package dev.anvil.server.functions;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.anvil.server.db.DbColumns;
import dev.anvil.server.db.PartialUpdate;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/** {@code functions.definitions} and {@code functions.deployments}. */
final class FunctionStore {

    static final String ACTIVE = "active";
    static final String DRAFT = "draft";
    static final String ERROR = "error";

    private static final String COLUMNS = "id::text AS id, slug, name, description, code, status, created_at, "
            + "updated_at, deployed_at";

    private final DbClient db;

    FunctionStore(DbClient db) {
        this.db = db;
    }

    /** A stored function; {@code code} is null in listings. */
    record FunctionRecord(String id, String slug, String name, String description, String code, String status,
                          Instant createdAt, Instant updatedAt, Instant deployedAt) {
    }

    List<FunctionRecord> list() {
        try (var rows = db.execute().query("SELECT id::text AS id, slug, name, description, NULL::text AS code, status, "
                + "created_at, updated_at, deployed_at FROM functions.definitions ORDER BY created_at DESC")) {
            return rows.map(FunctionStore::record).toList();
        }
    }

    Optional<FunctionRecord> find(String slug) {
        return db.execute().get("SELECT " + COLUMNS + " FROM functions.definitions WHERE slug = ?", slug)
                .map(FunctionStore::record);
    }

    boolean hasActive() {
        return db.execute().get("SELECT EXISTS (SELECT 1 FROM functions.definitions WHERE status = 'active') AS any")
                .map(row -> row.column("any").get(Boolean.class)).orElse(false);
    }

    /** @throws ApiException 409 FUNCTION_ALREADY_EXISTS when the slug is taken */
    FunctionRecord insert(String slug, String name, String description, String code, String status) {
        try {
            return db.execute().get("INSERT INTO functions.definitions (slug, name, description, code, status) "
                    + "VALUES (?, ?, ?, ?, ?) RETURNING " + COLUMNS, slug, name, description, code, status)
                    .map(FunctionStore::record).orElseThrow();
        } catch (RuntimeException e) {
            if (isUniqueViolation(e)) {
                throw new ApiException(409, "FUNCTION_ALREADY_EXISTS", "Function with this slug already exists");
            }
            throw e;
        }
    }

    /** Sets the given fields (null = unchanged); empty when no function has the slug. */
    Optional<FunctionRecord> update(String slug, String name, String description, String code, String status) {
        PartialUpdate update = new PartialUpdate().set("name", name).set("description", description).set("code", code)
                .set("status", status).touch("updated_at");
        return db.execute().get("UPDATE functions.definitions SET " + update.sql() + " WHERE slug = ? RETURNING " + COLUMNS,
                update.params(slug)).map(FunctionStore::record);
    }

    /** The outcome of a deploy: the status it leads to, and the deploy time when it succeeded. */
    FunctionRecord markDeployed(String slug, String status, boolean deployed) {
        return db.execute().get("UPDATE functions.definitions SET status = ?, deployed_at = CASE WHEN ? THEN now() "
                        + "ELSE deployed_at END WHERE slug = ? RETURNING " + COLUMNS, status, deployed, slug)
                .map(FunctionStore::record).orElseThrow();
    }

    boolean delete(String slug) {
        long deleted = db.execute().dml("DELETE FROM functions.definitions WHERE slug = ?", slug);
        if (deleted == 0) {
            return false;
        }
        // Deployment history that only named this function goes with it; others forget it (InsForge does the same).
        db.execute().dml("DELETE FROM functions.deployments WHERE functions @> to_jsonb(ARRAY[?]::text[]) "
                + "AND jsonb_array_length(functions - ?::text) = 0", slug, slug);
        db.execute().dml("UPDATE functions.deployments SET functions = functions - ?::text "
                + "WHERE functions @> to_jsonb(ARRAY[?]::text[])", slug, slug);
        return true;
    }

    void recordDeployment(String id, String slug, boolean success, String url, String error, List<String> buildLogs) {
        ArrayNode functions = Json.mapper().createArrayNode().add(slug);
        ArrayNode logs = Json.mapper().createArrayNode();
        buildLogs.forEach(logs::add);
        db.execute().dml("INSERT INTO functions.deployments (id, project_id, status, url, function_count, functions, "
                        + "error_message, build_logs) VALUES (?, 'local', ?, ?, 1, ?::jsonb, ?, ?::jsonb)",
                id, success ? "success" : "failed", url, Json.string(functions), error, Json.string(logs));
    }

    private static FunctionRecord record(DbRow row) {
        return new FunctionRecord(row.column("id").get(String.class), row.column("slug").get(String.class),
                row.column("name").get(String.class), row.column("description").get(String.class),
                row.column("code").get(String.class), row.column("status").get(String.class),
                DbColumns.instant(row, "created_at"), DbColumns.instant(row, "updated_at"),
                DbColumns.instant(row, "deployed_at"));
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable current = e; current != null; current = current.getCause()) {
            if (current instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
