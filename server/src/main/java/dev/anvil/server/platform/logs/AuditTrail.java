package dev.anvil.server.platform.logs;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/** Reads and prunes {@code system.audit_logs} (written by {@code platform.AuditLog}). */
public final class AuditTrail {

    private static final String COLUMNS = "id::text AS id, actor, action, module, details::text AS details, "
            + "host(ip_address) AS ip_address, created_at, updated_at";

    private final DbClient db;

    public AuditTrail(DbClient db) {
        this.db = db;
    }

    /** The filters of {@code GET /api/logs/audits}; empty ones do not filter. */
    public record Filter(Optional<String> actor, Optional<String> action, Optional<String> module,
                         Optional<Instant> from, Optional<Instant> to) {
    }

    /** A page of records, newest first, and how many match in all. */
    public record Page(ArrayNode records, long total) {
    }

    public Page query(Filter filter, int limit, long offset) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        filter.actor().ifPresent(value -> condition(conditions, params, "actor = ?", value));
        filter.action().ifPresent(value -> condition(conditions, params, "action = ?", value));
        filter.module().ifPresent(value -> condition(conditions, params, "module = ?", value));
        filter.from().ifPresent(value -> condition(conditions, params, "created_at >= ?", Timestamp.from(value)));
        filter.to().ifPresent(value -> condition(conditions, params, "created_at <= ?", Timestamp.from(value)));
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        long total = db.execute().get("SELECT count(*) AS total FROM system.audit_logs" + where, params.toArray())
                .map(row -> row.column("total").get(Long.class)).orElse(0L);
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(limit);
        pageParams.add(offset);
        ArrayNode records = Json.mapper().createArrayNode();
        try (var rows = db.execute().query("SELECT " + COLUMNS + " FROM system.audit_logs" + where
                + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?", pageParams.toArray())) {
            rows.forEach(row -> records.add(record(row)));
        }
        return new Page(records, total);
    }

    /** {@code {totalLogs, uniqueActors, uniqueModules, actionsByModule, recentActivity}} over the last {@code days}. */
    public ObjectNode stats(int days) {
        Timestamp since = Timestamp.from(Instant.now().minusSeconds(days * 86_400L));
        ObjectNode stats = Json.object();
        db.execute().get("SELECT count(*) AS total, count(DISTINCT actor) AS actors, count(DISTINCT module) AS modules "
                + "FROM system.audit_logs WHERE created_at >= ?", since).ifPresent(row -> {
                    stats.put("totalLogs", row.column("total").get(Long.class));
                    stats.put("uniqueActors", row.column("actors").get(Long.class));
                    stats.put("uniqueModules", row.column("modules").get(Long.class));
                });
        ObjectNode byModule = stats.putObject("actionsByModule");
        try (var rows = db.execute().query("SELECT module, count(*) AS n FROM system.audit_logs WHERE created_at >= ? "
                + "GROUP BY module ORDER BY module", since)) {
            rows.forEach(row -> byModule.put(row.column("module").get(String.class), row.column("n").get(Long.class)));
        }
        ArrayNode recent = stats.putArray("recentActivity");
        try (var rows = db.execute().query("SELECT " + COLUMNS + " FROM system.audit_logs WHERE created_at >= ? "
                + "ORDER BY created_at DESC, id LIMIT 10", since)) {
            rows.forEach(row -> recent.add(record(row)));
        }
        return stats;
    }

    /** Deletes records older than {@code daysToKeep} days; returns how many went. */
    public long deleteOlderThan(int daysToKeep) {
        Timestamp cutoff = Timestamp.from(Instant.now().minusSeconds(daysToKeep * 86_400L));
        return db.execute().delete("DELETE FROM system.audit_logs WHERE created_at < ?", cutoff);
    }

    private static void condition(List<String> conditions, List<Object> params, String sql, Object value) {
        conditions.add(sql);
        params.add(value);
    }

    private static ObjectNode record(DbRow row) {
        ObjectNode record = Json.object();
        record.put("id", row.column("id").get(String.class));
        record.put("actor", row.column("actor").get(String.class));
        record.put("action", row.column("action").get(String.class));
        record.put("module", row.column("module").get(String.class));
        String details = row.column("details").get(String.class);
        record.set("details", details == null ? null : Json.parse(details));
        record.put("ipAddress", row.column("ip_address").get(String.class));
        record.put("createdAt", row.column("created_at").get(Timestamp.class).toInstant().toString());
        record.put("updatedAt", row.column("updated_at").get(Timestamp.class).toInstant().toString());
        return record;
    }
}
