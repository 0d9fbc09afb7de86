package dev.anvil.server.database.grid;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.grid.GridListQuery.Sort;
import dev.anvil.server.db.PgErrors;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Principal;

/**
 * The grid's statements, each request in one transaction as {@code project_admin} (the role that
 * owns user tables; it bypasses none of Postgres' own checks). Rows come back as Postgres renders
 * them with {@code row_to_json} — columns in table order — and are passed on as raw JSON text.
 */
final class GridStore {

    /** Above this many rows (planner estimate) an unfiltered page reports the estimate, as InsForge does. */
    static final long ESTIMATE_ABOVE = 50_000;
    /** A filtered count stops here and reports the cap as an estimate, as InsForge does. */
    static final long FILTERED_COUNT_CAP = 10_000;

    private static final String ADMIN_CLAIMS = new Principal.ApiKey().claimsJson();

    /** A page of rows, the total and whether the total is an estimate. */
    record Page(List<RawValue> rows, long total, boolean estimate) {
    }

    private final RoleTransaction transactions;
    private final Duration readTimeout;

    GridStore(RoleTransaction transactions, Duration readTimeout) {
        this.transactions = transactions;
        this.readTimeout = readTimeout;
    }

    Page list(String schema, String tableName, GridListQuery query) {
        return run(true, connection -> {
            RoleTransaction.limitStatementTime(connection, readTimeout);
            GridTable table = GridTable.load(connection, schema, tableName);
            GridSql where = where(table, query);
            boolean filtered = !where.isEmpty();
            long[] total = count(connection, table, where, filtered);
            GridSql select = new GridSql().append("SELECT row_to_json(r)::text FROM (SELECT * FROM " + table.qualified())
                    .append(where);
            select.append(orderBy(table, query.sort()));
            select.bind(" LIMIT ?", query.limit()).bind(" OFFSET ?", query.offset()).append(") r");
            return new Page(rows(connection, select), total[0], total[1] == 1);
        });
    }

    /** The first row whose columns equal the values, or null (the grid follows foreign keys with it). */
    RawValue lookup(String schema, String tableName, List<String> columns, List<String> values) {
        return run(true, connection -> {
            RoleTransaction.limitStatementTime(connection, readTimeout);
            GridTable table = GridTable.load(connection, schema, tableName);
            GridSql select = new GridSql().append("SELECT row_to_json(r)::text FROM " + table.qualified() + " AS r WHERE ");
            for (int i = 0; i < columns.size(); i++) {
                select.append(i == 0 ? "" : " AND ").equals(table, table.column(columns.get(i)), TextNode.valueOf(values.get(i)));
            }
            List<RawValue> rows = rows(connection, select.append(" LIMIT 1"));
            return rows.isEmpty() ? null : rows.get(0);
        });
    }

    List<RawValue> insert(String schema, String tableName, List<ObjectNode> records) {
        return run(false, connection -> {
            GridTable table = GridTable.load(connection, schema, tableName);
            List<RawValue> created = new ArrayList<>();
            for (ObjectNode record : records) {
                List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
                for (Map.Entry<String, JsonNode> entry : record.properties()) {
                    GridColumn column = table.column(entry.getKey());
                    // The grid sends "" for a cell left empty; for anything but text that means "use the default".
                    if (!(isEmptyString(entry.getValue()) && !column.textLike())) {
                        entries.add(entry);
                    }
                }
                GridSql insert = new GridSql().append("INSERT INTO " + table.qualified() + " AS r ");
                if (entries.isEmpty()) {
                    insert.append("DEFAULT VALUES");
                } else {
                    insert.append("(" + String.join(", ", entries.stream().map(e -> Identifiers.quote(e.getKey())).toList())
                            + ") VALUES (");
                    for (int i = 0; i < entries.size(); i++) {
                        insert.append(i == 0 ? "" : ", ").value(table, table.column(entries.get(i).getKey()), entries.get(i).getValue());
                    }
                    insert.append(")");
                }
                created.addAll(rows(connection, insert.append(" RETURNING row_to_json(r)::text")));
            }
            return created;
        });
    }

    RawValue update(String schema, String tableName, GridBodies.Update update) {
        return run(false, connection -> {
            GridTable table = GridTable.load(connection, schema, tableName);
            table.requireWholePrimaryKey(fieldNames(update.key()));
            GridSql sql = new GridSql().append("UPDATE " + table.qualified() + " AS r SET ");
            boolean first = true;
            for (Map.Entry<String, JsonNode> entry : update.data().properties()) {
                GridColumn column = table.column(entry.getKey());
                sql.append(first ? "" : ", ").append(Identifiers.quote(column.name()) + " = ")
                        .value(table, column, blankToNull(column, entry.getValue()));
                first = false;
            }
            sql.append(" WHERE ").append(keyMatch(table, update.key())).append(" RETURNING row_to_json(r)::text");
            List<RawValue> rows = rows(connection, sql);
            if (rows.isEmpty()) {
                throw new ApiException(404, "DATABASE_NOT_FOUND", "Record not found.", "Check the record identifier and try again.");
            }
            return rows.get(0);
        });
    }

    int delete(String schema, String tableName, List<ObjectNode> keys) {
        return run(false, connection -> {
            GridTable table = GridTable.load(connection, schema, tableName);
            GridSql sql = new GridSql().append("DELETE FROM " + table.qualified() + " AS r WHERE ");
            for (int i = 0; i < keys.size(); i++) {
                table.requireWholePrimaryKey(fieldNames(keys.get(i)));
                sql.append(i == 0 ? "(" : " OR (").append(keyMatch(table, keys.get(i))).append(")");
            }
            try (PreparedStatement statement = sql.prepare(connection)) {
                return statement.executeUpdate();
            }
        });
    }

    // ------------------------------------------------------------------------------------ pieces

    private static GridSql where(GridTable table, GridListQuery query) {
        List<GridSql> clauses = new ArrayList<>();
        if (query.filterColumn() != null) {
            clauses.add(new GridSql().equals(table, table.column(query.filterColumn()), TextNode.valueOf(query.filterValue())));
        }
        List<GridColumn> searchable = table.textColumns();
        if (query.search() != null && !searchable.isEmpty()) {
            String pattern = "%" + query.search().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            GridSql search = new GridSql().append("(");
            for (int i = 0; i < searchable.size(); i++) {
                search.append(i == 0 ? "" : " OR ").append(Identifiers.quote(searchable.get(i).name()))
                        .bind(" ILIKE ?", pattern).append(" ESCAPE '\\'");
            }
            clauses.add(search.append(")"));
        }
        GridSql where = new GridSql();
        for (int i = 0; i < clauses.size(); i++) {
            where.append(i == 0 ? " WHERE " : " AND ").append(clauses.get(i));
        }
        return where;
    }

    /** The requested order; without one, the primary key's, so pages do not overlap or skip rows. */
    private static String orderBy(GridTable table, List<Sort> sort) {
        List<String> terms = new ArrayList<>();
        for (Sort clause : sort) {
            terms.add(Identifiers.quote(table.column(clause.column()).name()) + (clause.descending() ? " DESC" : " ASC"));
        }
        if (terms.isEmpty()) {
            table.primaryKey().forEach(column -> terms.add(Identifiers.quote(column)));
        }
        return terms.isEmpty() ? "" : " ORDER BY " + String.join(", ", terms);
    }

    private static GridSql keyMatch(GridTable table, ObjectNode key) {
        GridSql match = new GridSql();
        boolean first = true;
        for (Map.Entry<String, JsonNode> entry : key.properties()) {
            match.append(first ? "" : " AND ").append("r.").equals(table, table.column(entry.getKey()), entry.getValue());
            first = false;
        }
        return match;
    }

    /**
     * InsForge's counting: an unfiltered table the planner thinks is large reports the estimate;
     * otherwise rows are counted, but never more than a cap past which the cap is the (estimated) total.
     *
     * @return {total, 1 if estimated else 0}
     */
    private static long[] count(Connection connection, GridTable table, GridSql where, boolean filtered) throws SQLException {
        long cap = FILTERED_COUNT_CAP;
        if (!filtered) {
            GridSql estimate = new GridSql().bind("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)", table.qualified());
            long reltuples = single(connection, estimate);
            if (reltuples > ESTIMATE_ABOVE) {
                return new long[] {reltuples, 1};
            }
            cap = ESTIMATE_ABOVE;
        }
        GridSql count = new GridSql().append("SELECT count(*) FROM (SELECT 1 FROM " + table.qualified()).append(where)
                .bind(" LIMIT ?", cap + 1).append(") capped");
        long observed = single(connection, count);
        return observed > cap ? new long[] {cap, 1} : new long[] {observed, 0};
    }

    private static long single(Connection connection, GridSql sql) throws SQLException {
        try (PreparedStatement statement = sql.prepare(connection); ResultSet row = statement.executeQuery()) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    private static List<RawValue> rows(Connection connection, GridSql sql) throws SQLException {
        List<RawValue> rows = new ArrayList<>();
        try (PreparedStatement statement = sql.prepare(connection); ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(new RawValue(result.getString(1)));
            }
        }
        return rows;
    }

    /** InsForge's update rule for {@code ""}: kept for text, NULL where allowed, refused otherwise. */
    private static JsonNode blankToNull(GridColumn column, JsonNode value) {
        if (!isEmptyString(value) || column.textLike()) {
            return value;
        }
        if (column.nullable()) {
            return null;
        }
        throw new ApiException(400, "INVALID_INPUT", "Column \"" + column.name() + "\" cannot be blank.",
                "Provide a value for required fields or clear only nullable non-text fields.");
    }

    private static boolean isEmptyString(JsonNode value) {
        return value != null && value.isTextual() && value.textValue().isEmpty();
    }

    private static List<String> fieldNames(ObjectNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private <T> T run(boolean readOnly, RoleTransaction.Work<T> work) {
        try {
            return transactions.run(Principal.PROJECT_ADMIN, ADMIN_CLAIMS, readOnly, work);
        } catch (SQLException e) {
            throw PgErrors.toApiException(e);
        }
    }
}
