package dev.anvil.server.records.sql;

import java.util.List;

import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.Syntax;
import dev.anvil.server.records.parse.Syntax.Compare;
import dev.anvil.server.records.parse.Syntax.FullText;
import dev.anvil.server.records.parse.Syntax.InList;
import dev.anvil.server.records.parse.Syntax.Is;
import dev.anvil.server.records.parse.Syntax.IsDistinct;
import dev.anvil.server.records.parse.Syntax.JsonStep;
import dev.anvil.server.records.parse.Syntax.Operator;
import dev.anvil.server.records.parse.Syntax.Quantifier;
import dev.anvil.server.records.plan.ColumnRef;
import dev.anvil.server.records.plan.Condition;
import dev.anvil.server.records.plan.Embed;
import dev.anvil.server.records.plan.Ordering;
import dev.anvil.server.records.plan.Output;
import dev.anvil.server.records.plan.ReadNode;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.Relationship;

/**
 * Renders a read plan as SQL. Each relation is one {@code SELECT}; each embed is a
 * {@code LEFT JOIN LATERAL} subquery producing a JSON value ({@code row_to_json} for to-one,
 * {@code json_agg} for to-many) named {@code pgrst_json}, so parents filter and order on it without
 * re-reading the child. Postgres builds every byte of the JSON.
 */
public final class ReadSql {

    /** The JSON column of an embed's lateral subquery. */
    public static final String EMBED_JSON = "pgrst_json";
    private static final String ROW = "pgrst_row";

    private ReadSql() {
    }

    /** The full {@code SELECT} of a relation (root or embedded), with {@code guard} ANDed into the root's WHERE. */
    public static void select(SqlBuilder b, ReadNode node, Embed asChildOf, ReadNode parent, String guardRole) {
        b.sql("SELECT ");
        outputs(b, node);
        from(b, node, asChildOf, parent, true);
        where(b, node, asChildOf, parent, guardRole);
        orderAndRange(b, node);
    }

    /** {@code SELECT count(*) FROM … WHERE …} for the root: no order, no range, only the embeds filters need. */
    public static void count(SqlBuilder b, ReadNode node, String guardRole) {
        b.sql("SELECT pg_catalog.count(*) ");
        from(b, node, null, null, false);
        where(b, node, null, null, guardRole);
    }

    /** {@code SELECT 1 FROM … WHERE …}: the rows a count counts (what {@code count=planned} explains). */
    public static void rows(SqlBuilder b, ReadNode node, String guardRole) {
        b.sql("SELECT 1 ");
        from(b, node, null, null, false);
        where(b, node, null, null, guardRole);
    }

    private static void outputs(SqlBuilder b, ReadNode node) {
        boolean first = true;
        java.util.Set<String> emitted = new java.util.HashSet<>();
        for (Output output : node.outputs()) {
            if (!(output instanceof Output.Spread) && !emitted.add(output.name())) {
                continue; // see ReadNode.outputNames: each name once
            }
            switch (output) {
                case Output.Field field -> {
                    first = comma(b, first);
                    if (field.castType() != null) {
                        b.sql("CAST(");
                        if (field.castViaText()) {
                            b.sql("CAST(");
                            expr(b, field.ref());
                            b.sql(" AS text)");
                        } else {
                            expr(b, field.ref());
                        }
                        b.sql(" AS ").sql(field.castType()).sql(')');
                    } else {
                        expr(b, field.ref());
                    }
                    b.sql(" AS ").ident(field.name());
                }
                case Output.Nested nested -> {
                    first = comma(b, first);
                    Embed embed = nested.embed();
                    if (embed.toOne()) {
                        b.column(embed.lateralAlias(), EMBED_JSON);
                    } else {
                        b.sql("COALESCE(").column(embed.lateralAlias(), EMBED_JSON).sql(", '[]'::json)");
                    }
                    b.sql(" AS ").ident(embed.label());
                }
                case Output.Spread spread -> {
                    for (String name : spread.embed().child().outputNames()) {
                        if (!emitted.add(name)) {
                            continue;
                        }
                        first = comma(b, first);
                        b.column(spread.embed().lateralAlias(), name).sql(" AS ").ident(name);
                    }
                }
            }
        }
        b.sql(' ');
    }

    private static boolean comma(SqlBuilder b, boolean first) {
        if (!first) {
            b.sql(", ");
        }
        return false;
    }

    private static void from(SqlBuilder b, ReadNode node, Embed asChildOf, ReadNode parent, boolean allEmbeds) {
        b.sql("FROM ");
        switch (node.source()) {
            case ReadNode.TableSource table -> b.ident(table.table().name());
            case ReadNode.CteSource cte -> b.ident(cte.label());
        }
        b.sql(" AS ").ident(node.alias());
        if (asChildOf != null && asChildOf.relationship().junction() != null) {
            Relationship.Junction junction = asChildOf.relationship().junction();
            b.sql(" JOIN ").ident(junction.table()).sql(" AS ").ident(asChildOf.junctionAlias()).sql(" ON ");
            boolean first = true;
            for (Relationship.ColumnPair pair : junction.targetColumns()) {
                if (!first) {
                    b.sql(" AND ");
                }
                first = false;
                b.column(asChildOf.junctionAlias(), pair.source()).sql(" = ").column(node.alias(), pair.target());
            }
        }
        for (Embed embed : node.embeds()) {
            if (!allEmbeds && !node.needsEmbedInWhere(embed)) {
                continue;
            }
            b.sql(" LEFT JOIN LATERAL (SELECT ");
            if (embed.toOne()) {
                b.sql("pg_catalog.row_to_json(").ident(ROW).sql(") AS ").ident(EMBED_JSON).sql(", ").ident(ROW).sql(".* FROM (");
            } else {
                b.sql("pg_catalog.json_agg(").ident(ROW).sql(") AS ").ident(EMBED_JSON).sql(" FROM (");
            }
            select(b, embed.child(), embed, node, null);
            b.sql(") AS ").ident(ROW).sql(") AS ").ident(embed.lateralAlias()).sql(" ON TRUE");
        }
    }

    private static void where(SqlBuilder b, ReadNode node, Embed asChildOf, ReadNode parent, String guardRole) {
        b.sql(" WHERE ");
        boolean first = true;
        if (guardRole != null) {
            roleGuard(b, guardRole);
            first = false;
        }
        if (asChildOf != null) {
            Relationship rel = asChildOf.relationship();
            if (rel.junction() != null) {
                for (Relationship.ColumnPair pair : rel.columns()) {
                    first = and(b, first);
                    b.column(asChildOf.junctionAlias(), pair.target()).sql(" = ").column(parent.alias(), pair.source());
                }
            } else {
                for (Relationship.ColumnPair pair : rel.columns()) {
                    first = and(b, first);
                    b.column(node.alias(), pair.target()).sql(" = ").column(parent.alias(), pair.source());
                }
            }
        }
        for (Condition condition : node.conditions()) {
            first = and(b, first);
            condition(b, condition);
        }
        if (first) {
            b.sql("TRUE");
        }
    }

    /**
     * The statement only returns or changes rows if the role really is the caller's: a defence in
     * depth should the preceding set_config ever not apply (the caller also checks the role the
     * statement reports).
     */
    public static void roleGuard(SqlBuilder b, String role) {
        b.sql("pg_catalog.current_setting('role') = ").value(role, "text");
    }

    private static boolean and(SqlBuilder b, boolean first) {
        if (!first) {
            b.sql(" AND ");
        }
        return false;
    }

    static void orderAndRange(SqlBuilder b, ReadNode node) {
        if (!node.order().isEmpty()) {
            b.sql(" ORDER BY ");
            boolean first = true;
            for (Ordering ordering : node.order()) {
                first = comma(b, first);
                if (ordering.column() != null) {
                    comparable(b, ordering.column());
                } else {
                    b.column(ordering.embedAlias(), ordering.embedColumn());
                }
                if (ordering.descending() != null) {
                    b.sql(ordering.descending() ? " DESC" : " ASC");
                }
                if (ordering.nullsFirst() != null) {
                    b.sql(ordering.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
                }
            }
        }
        if (node.limit() != null) {
            b.sql(" LIMIT ").value(node.limit());
        }
        if (node.offset() > 0) {
            b.sql(" OFFSET ").value(node.offset());
        }
    }

    // ---- expressions ---------------------------------------------------------------------------

    /** A column, or a JSON path into it (non-JSON columns go through {@code to_jsonb}). */
    public static void expr(SqlBuilder b, ColumnRef ref) {
        if (ref.path().isEmpty()) {
            b.column(ref.alias(), ref.column().name());
            return;
        }
        b.sql('(');
        if (ref.column().kind().isJson()) {
            b.column(ref.alias(), ref.column().name());
        } else {
            b.sql("pg_catalog.to_jsonb(").column(ref.alias(), ref.column().name()).sql(')');
        }
        for (JsonStep step : ref.path()) {
            b.sql(step.asText() ? "->>" : "->");
            if (step.index() != null) {
                b.sql(Integer.toString(step.index()));
            } else {
                b.value(step.key(), "text");
            }
        }
        b.sql(')');
    }

    public static void condition(SqlBuilder b, Condition condition) {
        switch (condition) {
            case Condition.FieldCondition field -> {
                if (field.negated()) {
                    b.sql("NOT ");
                }
                b.sql('(');
                operation(b, field.lhs(), field.operation());
                b.sql(')');
            }
            case Condition.Group group -> {
                if (group.negated()) {
                    b.sql("NOT ");
                }
                b.sql('(');
                boolean first = true;
                for (Condition child : group.children()) {
                    if (!first) {
                        b.sql(group.and() ? " AND " : " OR ");
                    }
                    first = false;
                    condition(b, child);
                }
                b.sql(')');
            }
            case Condition.EmbedPresence presence -> b.column(presence.embed().lateralAlias(), EMBED_JSON)
                    .sql(presence.present() ? " IS NOT NULL" : " IS NULL");
        }
    }

    private static void operation(SqlBuilder b, ColumnRef lhs, Syntax.Operation operation) {
        switch (operation) {
            case Compare compare -> compare(b, lhs, compare);
            case InList in -> in(b, lhs, in.values());
            case Is is -> is(b, lhs, is.value());
            case IsDistinct distinct -> {
                String type = comparable(b, lhs);
                b.sql(" IS DISTINCT FROM ").value(distinct.value(), type);
            }
            case FullText fts -> fullText(b, lhs, fts);
        }
    }

    private static void compare(SqlBuilder b, ColumnRef lhs, Compare compare) {
        Operator op = compare.operator();
        String type = lhs.resultType();
        String value = compare.value();
        if (op.isPattern()) {
            textOperand(b, lhs);
            type = "text";
            if (op == Operator.LIKE || op == Operator.ILIKE) {
                value = value.replace('*', '%');
            }
        } else {
            type = comparable(b, lhs);
        }
        b.sql(' ').sql(op.sql()).sql(' ');
        if (compare.quantifier() == Quantifier.NONE) {
            b.value(value, type);
        } else {
            b.sql(compare.quantifier() == Quantifier.ANY ? "ANY(" : "ALL(").value(value, type + "[]").sql(')');
        }
    }

    /**
     * Writes an operand for comparison and returns the type values are cast to: {@code json} has no
     * equality or ordering, so it is compared as {@code jsonb}.
     */
    private static String comparable(SqlBuilder b, ColumnRef lhs) {
        if (lhs.resultKind() == Column.TypeKind.JSON) {
            b.sql('(');
            expr(b, lhs);
            b.sql(")::jsonb");
            return "jsonb";
        }
        expr(b, lhs);
        return lhs.resultType();
    }

    /** Pattern operators work on text: a non-text operand is compared by its text form. */
    private static void textOperand(SqlBuilder b, ColumnRef lhs) {
        if (lhs.resultKind() == Column.TypeKind.TEXT) {
            expr(b, lhs);
        } else {
            b.sql('(');
            expr(b, lhs);
            b.sql(")::text");
        }
    }

    private static void in(SqlBuilder b, ColumnRef lhs, List<String> values) {
        if (values.isEmpty()) {
            b.sql("FALSE");
            return;
        }
        String type = comparable(b, lhs);
        if (lhs.resultKind() == Column.TypeKind.ARRAY) {
            // An array column compares with array values; "= ANY(type[][])" would flatten them.
            b.sql(" IN (");
            boolean first = true;
            for (String value : values) {
                first = comma(b, first);
                b.value(value, type);
            }
            b.sql(')');
            return;
        }
        b.sql(" = ANY(").value(arrayLiteral(values), type + "[]").sql(')');
    }

    /** A Postgres array literal with every element quoted: {@code {"a","b\"c"}}. */
    static String arrayLiteral(List<String> values) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (String value : values) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\');
                }
                out.append(c);
            }
            out.append('"');
        }
        return out.append('}').toString();
    }

    private static void is(SqlBuilder b, ColumnRef lhs, Syntax.IsValue value) {
        if ((value == Syntax.IsValue.TRUE || value == Syntax.IsValue.FALSE || value == Syntax.IsValue.UNKNOWN)
                && lhs.resultKind() != Column.TypeKind.BOOLEAN) {
            throw new PgrstError(400, "42804", "argument of IS " + value.name() + " must be type boolean, not type "
                    + lhs.resultType(), null, null);
        }
        expr(b, lhs);
        b.sql(switch (value) {
            case NULL -> " IS NULL";
            case NOT_NULL -> " IS NOT NULL";
            case TRUE -> " IS TRUE";
            case FALSE -> " IS FALSE";
            case UNKNOWN -> " IS UNKNOWN";
        });
    }

    private static void fullText(SqlBuilder b, ColumnRef lhs, FullText fts) {
        if (lhs.resultKind() == Column.TypeKind.TSVECTOR) {
            expr(b, lhs);
        } else {
            b.sql("pg_catalog.to_tsvector(");
            if (fts.config() != null) {
                b.value(fts.config(), "regconfig").sql(", ");
            }
            b.sql('(');
            expr(b, lhs);
            b.sql(")::text)");
        }
        b.sql(" @@ pg_catalog.").sql(fts.kind().function()).sql('(');
        if (fts.config() != null) {
            b.value(fts.config(), "regconfig").sql(", ");
        }
        b.value(fts.value(), "text").sql(')');
    }
}
