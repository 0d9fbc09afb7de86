package dev.anvil.server.records.sql;

import java.util.List;

import dev.anvil.server.records.parse.ApiRequest;
import dev.anvil.server.records.parse.MediaType;
import dev.anvil.server.records.parse.Preferences;
import dev.anvil.server.records.plan.ActionPlan;
import dev.anvil.server.records.plan.Condition;
import dev.anvil.server.records.plan.ReadNode;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.Routine;

/**
 * Renders an {@link ActionPlan} as one SQL statement in PostgREST's shape: a CTE named
 * {@code pgrst_source} holding the response rows (after a data-modifying CTE for writes, or a
 * function-call CTE for RPC), and one final row with
 * {@code total, page_total, body, role, inserted, response.headers, response.status}: the count when
 * asked for, the rows returned, the response body Postgres built, the role the statement really ran
 * as, how many rows an upsert inserted, and the response overrides a function set.
 */
public final class StatementSql {

    private static final String SOURCE = "pgrst_source";
    private static final String MUTATION = "pgrst_mutation";
    private static final String CALL = "pgrst_call";
    private static final String BODY = "pgrst_body";
    private static final String ELEMENT = "pgrst_element";
    private static final String ARGS = "pgrst_args";
    private static final String FN = "pgrst_fn";
    private static final String SCALAR = "pgrst_scalar";
    private static final String INSERTED = "pgrst_inserted";

    private StatementSql() {
    }

    /** The main statement. */
    public static SqlBuilder main(ActionPlan plan, String role) {
        return switch (plan) {
            case ActionPlan.Read read -> read(read, role);
            case ActionPlan.Mutate mutate -> mutate(mutate, role);
            case ActionPlan.Call call -> call(call, role);
        };
    }

    /**
     * {@code EXPLAIN (FORMAT JSON)} of the rows a {@code count=planned|estimated} counts, or null when
     * no estimate is needed.
     */
    public static SqlBuilder explain(ActionPlan plan) {
        Preferences.Count count = plan.request().preferences().count();
        if (count != Preferences.Count.PLANNED && count != Preferences.Count.ESTIMATED) {
            return null;
        }
        SqlBuilder b = new SqlBuilder();
        switch (plan) {
            case ActionPlan.Read read -> {
                b.sql("EXPLAIN (FORMAT JSON) ");
                ReadSql.rows(b, read.root(), null);
            }
            case ActionPlan.Call call when call.root() != null -> {
                b.sql("EXPLAIN (FORMAT JSON) WITH ").ident(CALL).sql(" AS (");
                callSource(b, call, null);
                b.sql(") ");
                ReadSql.rows(b, call.root(), null);
            }
            default -> {
                return null;
            }
        }
        return b;
    }

    // ---- reads ---------------------------------------------------------------------------------

    private static SqlBuilder read(ActionPlan.Read read, String role) {
        SqlBuilder b = new SqlBuilder();
        b.sql("WITH ").ident(SOURCE).sql(" AS (");
        ReadSql.select(b, read.root(), null, null, role);
        b.sql(") SELECT ");
        totals(b, read.request(), read.root(), role);
        body(b, read.request().media(), read.root().outputNames(), BodyShape.ROWS);
        finish(b, "NULL::int8");
        return b;
    }

    /** The first two columns of the final row: the exact count when asked for (else null), the page's rows. */
    private static void totals(SqlBuilder b, ApiRequest request, ReadNode root, String guardRole) {
        if (exactCount(request)) {
            b.sql('(');
            ReadSql.count(b, root, guardRole);
            b.sql(')');
        } else {
            b.sql("NULL::int8");
        }
        b.sql(", pg_catalog.count(*), ");
    }

    private static boolean exactCount(ApiRequest request) {
        Preferences.Count count = request.preferences().count();
        return count == Preferences.Count.EXACT || count == Preferences.Count.ESTIMATED;
    }

    /**
     * The last columns and the FROM of the final row: the role, the inserted count, and what a
     * function asked for with {@code set_config('response.status'|'response.headers', …, true)}.
     */
    private static void finish(SqlBuilder b, String insertedExpression) {
        b.sql(", pg_catalog.current_setting('role'), ").sql(insertedExpression)
                .sql(", NULLIF(pg_catalog.current_setting('response.headers', true), '')")
                .sql(", NULLIF(pg_catalog.current_setting('response.status', true), '')")
                .sql(" FROM ").ident(SOURCE).sql(" AS _t");
    }

    /** How the response rows become the body. */
    private enum BodyShape { ROWS, SINGLE_ROW, SCALARS, SINGLE_SCALAR, NONE }

    private static void body(SqlBuilder b, MediaType.Choice media, List<String> names, BodyShape shape) {
        boolean stripped = media.nullsStripped();
        if (shape == BodyShape.NONE) {
            b.sql("NULL::text");
            return;
        }
        if (shape == BodyShape.SCALARS || shape == BodyShape.SINGLE_SCALAR) {
            String agg = "pg_catalog.json_agg(_t." + "\"" + SCALAR + "\")";
            b.sql(shape == BodyShape.SCALARS ? "COALESCE(" + agg + ", '[]')" : "COALESCE(" + agg + " -> 0, 'null')");
            return;
        }
        if (media.type() == MediaType.CSV) {
            b.sql("COALESCE(pg_catalog.string_agg(pg_catalog.substr(_t::text, 2, pg_catalog.length(_t::text) - 2), "
                    + "pg_catalog.chr(10)), '')");
            return;
        }
        String agg = stripped ? "pg_catalog.json_strip_nulls(pg_catalog.json_agg(_t))" : "pg_catalog.json_agg(_t)";
        if (media.type() == MediaType.OBJECT || shape == BodyShape.SINGLE_ROW) {
            b.sql("COALESCE(").sql(agg).sql(" -> 0, 'null')");
        } else {
            b.sql("COALESCE(").sql(agg).sql(", '[]')");
        }
    }

    // ---- writes --------------------------------------------------------------------------------

    private static SqlBuilder mutate(ActionPlan.Mutate m, String role) {
        SqlBuilder b = new SqlBuilder();
        b.sql("WITH ").ident(MUTATION).sql(" AS (");
        if (m.noop()) {
            b.sql("SELECT ").ident(m.target().alias()).sql(".* FROM ").ident(m.table().name()).sql(" AS ")
                    .ident(m.target().alias()).sql(" WHERE FALSE");
        } else {
            switch (m.kind()) {
                case INSERT, PUT -> insert(b, m, role);
                case UPDATE -> update(b, m, role);
                case DELETE -> delete(b, m, role);
            }
        }
        b.sql("), ").ident(SOURCE).sql(" AS (");
        List<String> names;
        BodyShape shape;
        switch (m.returning()) {
            case ROWS -> {
                ReadSql.select(b, m.representation(), null, null, null);
                names = m.representation().outputNames();
                shape = BodyShape.ROWS;
            }
            case PRIMARY_KEY -> {
                b.sql("SELECT pg_catalog.json_build_array(");
                boolean first = true;
                for (String pk : m.table().primaryKey()) {
                    if (!first) {
                        b.sql(", ");
                    }
                    first = false;
                    b.sql("CAST(").ident(pk).sql(" AS text)");
                }
                b.sql(") AS ").ident("pgrst_location").sql(" FROM ").ident(MUTATION);
                names = List.of("pgrst_location");
                shape = BodyShape.ROWS;
            }
            default -> {
                b.sql("SELECT 1 FROM ").ident(MUTATION);
                names = List.of();
                shape = BodyShape.NONE;
            }
        }
        b.sql(") SELECT NULL::int8, pg_catalog.count(*), ");
        if (m.returning() == ActionPlan.Returning.PRIMARY_KEY) {
            b.sql("pg_catalog.json_agg(_t.\"pgrst_location\")");
        } else {
            body(b, m.request().media(), names, shape);
        }
        boolean reportsInserted = m.conflict() != null && m.conflict().merge() && !m.noop();
        finish(b, reportsInserted
                ? "(SELECT pg_catalog.count(*) FROM \"" + MUTATION + "\" WHERE \"" + INSERTED + "\")" : "NULL::int8");
        return b;
    }

    private static void insert(SqlBuilder b, ActionPlan.Mutate m, String role) {
        String alias = m.target().alias();
        b.sql("INSERT INTO ").ident(m.table().name()).sql(" AS ").ident(alias);
        if (!m.columns().isEmpty()) {
            b.sql(" (");
            columnList(b, m.columns());
            b.sql(')');
        }
        b.sql(" SELECT ");
        boolean first = true;
        for (Column column : m.columns()) {
            if (!first) {
                b.sql(", ");
            }
            first = false;
            if (m.missingDefault() && column.defaultExpr() != null) {
                b.sql("CASE WHEN ").column(ELEMENT, "j").sql(" -> ").value(column.name(), "text").sql(" IS NULL THEN ")
                        .sql(column.defaultExpr()).sql(" ELSE ").column(BODY, column.name()).sql(" END");
            } else {
                b.column(BODY, column.name());
            }
        }
        if (m.columns().isEmpty()) {
            b.sql("FROM pg_catalog.json_array_elements(").value(m.payloadJson(), "json").sql(") AS ").ident(ELEMENT);
        } else if (m.missingDefault()) {
            b.sql(" FROM pg_catalog.json_array_elements(").value(m.payloadJson(), "json").sql(") AS ").ident(ELEMENT)
                    .sql("(j), LATERAL pg_catalog.json_to_record(").column(ELEMENT, "j").sql(") AS ").ident(BODY);
            recordDefinition(b, m.columns());
        } else {
            b.sql(" FROM pg_catalog.json_to_recordset(").value(m.payloadJson(), "json").sql(") AS ").ident(BODY);
            recordDefinition(b, m.columns());
        }
        b.sql(" WHERE ");
        ReadSql.roleGuard(b, role);
        for (ActionPlan.PutKey key : m.putKeys()) {
            b.sql(" AND ").column(BODY, key.column().name()).sql(" = ").value(key.value(), key.column().valueType());
        }
        if (m.conflict() != null) {
            b.sql(" ON CONFLICT");
            if (!m.conflict().columns().isEmpty()) {
                b.sql(" (");
                boolean firstKey = true;
                for (String name : m.conflict().columns()) {
                    if (!firstKey) {
                        b.sql(", ");
                    }
                    firstKey = false;
                    b.ident(name);
                }
                b.sql(')');
            }
            if (m.conflict().merge() && !m.columns().isEmpty()) {
                b.sql(" DO UPDATE SET ");
                boolean firstSet = true;
                for (Column column : m.columns()) {
                    if (!firstSet) {
                        b.sql(", ");
                    }
                    firstSet = false;
                    b.ident(column.name()).sql(" = EXCLUDED.").ident(column.name());
                }
            } else {
                b.sql(" DO NOTHING");
            }
        }
        returning(b, m);
    }

    private static void update(SqlBuilder b, ActionPlan.Mutate m, String role) {
        String alias = m.target().alias();
        b.sql("UPDATE ").ident(m.table().name()).sql(" AS ").ident(alias).sql(" SET ");
        boolean first = true;
        for (Column column : m.columns()) {
            if (!first) {
                b.sql(", ");
            }
            first = false;
            b.ident(column.name()).sql(" = ").column(BODY, column.name());
        }
        b.sql(" FROM pg_catalog.json_to_recordset(").value(m.payloadJson(), "json").sql(") AS ").ident(BODY);
        recordDefinition(b, m.columns());
        where(b, m, role);
        returning(b, m);
    }

    private static void delete(SqlBuilder b, ActionPlan.Mutate m, String role) {
        b.sql("DELETE FROM ").ident(m.table().name()).sql(" AS ").ident(m.target().alias());
        where(b, m, role);
        returning(b, m);
    }

    private static void where(SqlBuilder b, ActionPlan.Mutate m, String role) {
        b.sql(" WHERE ");
        ReadSql.roleGuard(b, role);
        if (m.limited()) {
            // The rows to change are picked in a subquery (its alias shadows the target's).
            String alias = m.target().alias();
            b.sql(" AND ").column(alias, "ctid").sql(" = ANY(ARRAY(SELECT ").column(alias, "ctid").sql(" FROM ")
                    .ident(m.table().name()).sql(" AS ").ident(alias).sql(" WHERE TRUE");
            for (Condition condition : m.conditions()) {
                b.sql(" AND ");
                ReadSql.condition(b, condition);
            }
            ReadSql.orderAndRange(b, m.target());
            b.sql("))");
            return;
        }
        for (Condition condition : m.conditions()) {
            b.sql(" AND ");
            ReadSql.condition(b, condition);
        }
    }

    /**
     * Without a representation only {@code RETURNING 1}: returning columns would make Postgres apply
     * SELECT policies to the new rows, which a write that returns nothing must not need.
     */
    private static void returning(SqlBuilder b, ActionPlan.Mutate m) {
        String alias = m.target().alias();
        b.sql(" RETURNING ");
        switch (m.returning()) {
            case ROWS -> b.ident(alias).sql(".*");
            case PRIMARY_KEY -> {
                boolean first = true;
                for (String pk : m.table().primaryKey()) {
                    if (!first) {
                        b.sql(", ");
                    }
                    first = false;
                    b.column(alias, pk);
                }
            }
            case NOTHING -> b.sql('1');
        }
        if (m.conflict() != null && m.conflict().merge()) {
            b.sql(", (").column(alias, "xmax").sql(" = 0) AS ").ident(INSERTED);
        }
    }

    private static void columnList(SqlBuilder b, List<Column> columns) {
        boolean first = true;
        for (Column column : columns) {
            if (!first) {
                b.sql(", ");
            }
            first = false;
            b.ident(column.name());
        }
    }

    /** {@code ("a" integer, "b" text)}: the column definition list of json_to_record(set). */
    private static void recordDefinition(SqlBuilder b, List<Column> columns) {
        b.sql('(');
        boolean first = true;
        for (Column column : columns) {
            if (!first) {
                b.sql(", ");
            }
            first = false;
            b.ident(column.name()).sql(' ').sql(column.sqlType());
        }
        b.sql(')');
    }

    // ---- calls ---------------------------------------------------------------------------------

    private static SqlBuilder call(ActionPlan.Call call, String role) {
        SqlBuilder b = new SqlBuilder();
        Routine routine = call.routine();
        if (call.root() != null) {
            b.sql("WITH ").ident(CALL).sql(" AS (");
            callSource(b, call, role);
            b.sql("), ").ident(SOURCE).sql(" AS (");
            ReadSql.select(b, call.root(), null, null, null);
            b.sql(") SELECT ");
            totals(b, call.request(), call.root(), null);
            body(b, call.request().media(), call.root().outputNames(), routine.returnsSet() ? BodyShape.ROWS : BodyShape.SINGLE_ROW);
            finish(b, "NULL::int8");
            return b;
        }
        b.sql("WITH ").ident(SOURCE).sql(" AS (SELECT ");
        invocation(b, call);
        b.sql(" AS ").ident(SCALAR);
        argumentSource(b, call, " FROM ");
        b.sql(" WHERE ");
        ReadSql.roleGuard(b, role);
        if (routine.returnsSet()) {
            if (call.request().limit() != null) {
                b.sql(" LIMIT ").value(call.request().limit());
            }
            if (call.request().offset() > 0) {
                b.sql(" OFFSET ").value(call.request().offset());
            }
        }
        b.sql(") SELECT NULL::int8, pg_catalog.count(*), ");
        BodyShape shape = routine.result() instanceof Routine.Void ? BodyShape.NONE
                : routine.returnsSet() ? BodyShape.SCALARS : BodyShape.SINGLE_SCALAR;
        body(b, call.request().media(), List.of(SCALAR), shape);
        finish(b, "NULL::int8");
        return b;
    }

    /** {@code SELECT pgrst_fn.* FROM <arguments>, LATERAL fn(…) AS pgrst_fn WHERE <guard>}. */
    private static void callSource(SqlBuilder b, ActionPlan.Call call, String role) {
        b.sql("SELECT ").ident(FN).sql(".*");
        boolean hasArgs = argumentSource(b, call, " FROM ");
        b.sql(hasArgs ? ", LATERAL " : " FROM ");
        invocation(b, call);
        b.sql(" AS ").ident(FN);
        if (role != null) {
            b.sql(" WHERE ");
            ReadSql.roleGuard(b, role);
        }
    }

    /** The named arguments come from one JSON object through json_to_record; returns whether it was written. */
    private static boolean argumentSource(SqlBuilder b, ActionPlan.Call call, String prefix) {
        if (call.passed().isEmpty()) {
            return false;
        }
        b.sql(prefix).sql("pg_catalog.json_to_record(").value(call.argsJson(), "json").sql(") AS ").ident(ARGS).sql('(');
        boolean first = true;
        for (Routine.Param param : call.passed()) {
            if (!first) {
                b.sql(", ");
            }
            first = false;
            b.ident(param.name()).sql(' ').sql(param.sqlType());
        }
        b.sql(')');
        return true;
    }

    private static void invocation(SqlBuilder b, ActionPlan.Call call) {
        Routine routine = call.routine();
        b.ident(routine.name()).sql('(');
        if (routine.takesSingleJsonBody()) {
            b.value(call.argsJson(), routine.params().get(0).sqlType());
        } else {
            boolean first = true;
            for (Routine.Param param : call.passed()) {
                if (!first) {
                    b.sql(", ");
                }
                first = false;
                if (param.variadic()) {
                    b.sql("VARIADIC ");
                }
                b.ident(param.name()).sql(" => ").column(ARGS, param.name());
            }
        }
        b.sql(')');
    }
}
