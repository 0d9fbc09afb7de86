package dev.anvil.server.records.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.QueryParts;
import dev.anvil.server.records.parse.Syntax;
import dev.anvil.server.records.parse.Syntax.ColumnItem;
import dev.anvil.server.records.parse.Syntax.EmbedItem;
import dev.anvil.server.records.parse.Syntax.LogicGroup;
import dev.anvil.server.records.parse.Syntax.LogicLeaf;
import dev.anvil.server.records.parse.Syntax.LogicTree;
import dev.anvil.server.records.parse.Syntax.OrderTerm;
import dev.anvil.server.records.parse.Syntax.SelectItem;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.QualifiedName;
import dev.anvil.server.records.schema.Relationship;
import dev.anvil.server.records.schema.SchemaCache;
import dev.anvil.server.records.schema.Table;

/**
 * Plans the read part of a request against the schema cache: expands {@code *}, resolves every
 * column, cast and embed (PostgREST's relationship search with {@code !hint} disambiguation), and
 * attaches filters, {@code or}/{@code and} trees, orders and ranges to the relation their embed path
 * names. Everything that reaches SQL afterwards has been found in the cache.
 */
public final class ReadPlanner {

    private static final List<SelectItem> STAR = List.of(new ColumnItem(new Syntax.Field("*", List.of()), null, null));

    private final SchemaCache cache;
    private final String schema;
    private int aliases;

    public ReadPlanner(SchemaCache cache, String schema) {
        this.cache = cache;
        this.schema = schema;
    }

    /**
     * @param rootFilters     root-level filters, order and range apply to this read (false for a
     *                        write's representation: the write itself applied them)
     * @param rootOffset      the root offset (with the Range header applied)
     * @param rootLimit       the root limit, or null
     */
    public ReadNode plan(ReadNode.Source rootSource, String rootLabel, QueryParts query, boolean rootFilters,
                         long rootOffset, Long rootLimit) {
        ReadNode root = new ReadNode(rootSource, nextAlias("t"), rootLabel);
        select(root, query.select() == null ? STAR : query.select());
        for (QueryParts.PathFilter filter : query.filters()) {
            if (filter.embedPath().isEmpty() && !rootFilters) {
                continue;
            }
            ReadNode node = resolve(root, filter.embedPath());
            node.conditions.add(filterCondition(node, filter.filter(), filter.embedPath().isEmpty() ? null : filter.embedPath()));
        }
        for (QueryParts.PathLogic logic : query.logic()) {
            if (logic.embedPath().isEmpty() && !rootFilters) {
                continue;
            }
            ReadNode node = resolve(root, logic.embedPath());
            node.conditions.add(logicCondition(node, logic.tree()));
        }
        for (Map.Entry<List<String>, List<OrderTerm>> order : query.order().entrySet()) {
            if (order.getKey().isEmpty() && !rootFilters) {
                continue;
            }
            ReadNode node = resolve(root, order.getKey());
            for (OrderTerm term : order.getValue()) {
                node.order.add(ordering(node, term));
            }
        }
        for (Map.Entry<List<String>, Long> limit : query.limits().entrySet()) {
            if (!limit.getKey().isEmpty()) {
                resolve(root, limit.getKey()).limit = limit.getValue();
            }
        }
        for (Map.Entry<List<String>, Long> offset : query.offsets().entrySet()) {
            if (!offset.getKey().isEmpty()) {
                resolve(root, offset.getKey()).offset = offset.getValue();
            }
        }
        if (rootFilters) {
            root.limit = rootLimit;
            root.offset = rootOffset;
        }
        return root;
    }

    /** Plans a filter on a table being written (UPDATE/DELETE/PUT): root conditions only. */
    public List<Condition> rootConditions(ReadNode target, QueryParts query) {
        List<Condition> conditions = new ArrayList<>();
        for (QueryParts.PathFilter filter : query.filters()) {
            if (filter.embedPath().isEmpty()) {
                conditions.add(filterCondition(target, filter.filter(), null));
            }
        }
        for (QueryParts.PathLogic logic : query.logic()) {
            if (logic.embedPath().isEmpty()) {
                conditions.add(logicCondition(target, logic.tree()));
            }
        }
        return conditions;
    }

    /**
     * Orders, limit and offset for an update or delete that is limited ({@code PATCH /t?limit=1&order=id}):
     * set on the write target, whose rows are then picked by {@code ctid}.
     */
    public void limitWrite(ReadNode target, QueryParts query, long offset, Long limit) {
        orderRoot(target, query);
        target.limit = limit;
        target.offset = offset;
    }

    /** The root {@code order} on a write's returned rows (PostgREST 13 fixed this; 12 ignored it). */
    public void orderRoot(ReadNode node, QueryParts query) {
        for (OrderTerm term : query.order().getOrDefault(List.of(), List.of())) {
            node.order.add(ordering(node, term));
        }
    }

    /** A node for a relation being written, for planning its root conditions. */
    public ReadNode writeTarget(Table table) {
        return new ReadNode(new ReadNode.TableSource(table), nextAlias("t"), table.name().name());
    }

    // ---- select ----------------------------------------------------------------------------------

    private void select(ReadNode node, List<SelectItem> items) {
        for (SelectItem item : items) {
            switch (item) {
                case ColumnItem column -> column(node, column);
                case EmbedItem embed -> embed(node, embed);
            }
        }
    }

    private void column(ReadNode node, ColumnItem item) {
        if (item.field().isStar()) {
            for (Column column : node.columns()) {
                node.outputs.add(new Output.Field(new ColumnRef(node.alias(), column, List.of()), column.name(), null, false));
            }
            return;
        }
        ColumnRef ref = ref(node, item.field());
        String cast = null;
        boolean viaText = false;
        if (item.cast() != null) {
            SchemaCache.CastType type = cache.castType(item.cast()).orElseThrow(() ->
                    PgrstError.undefinedObject("type \"" + item.cast() + "\" does not exist"));
            cast = type.sql();
            viaText = !cache.castsDirectly(ref.resultBaseType(), type.typeName());
        }
        String name = item.alias() != null ? item.alias() : item.field().outputName();
        node.outputs.add(new Output.Field(ref, name, cast, viaText));
    }

    private ColumnRef ref(ReadNode node, Syntax.Field field) {
        Column column = node.column(field.name());
        if (column == null) {
            throw PgrstError.undefinedColumn(node.label(), field.name());
        }
        for (int i = 0; i + 1 < field.path().size(); i++) {
            if (field.path().get(i).asText()) {
                // ->> gives text, which has no -> or ->> of its own
                Syntax.JsonStep next = field.path().get(i + 1);
                throw undefinedOperator("text", next.asText() ? "->>" : "->", next.index() != null ? "integer" : "unknown");
            }
        }
        return new ColumnRef(node.alias(), column, field.path());
    }

    private void embed(ReadNode parent, EmbedItem item) {
        Table parentTable = parent.table();
        Relationship relationship = relationship(parent, parentTable, item.name(), item.hint());
        if (item.spread() && !relationship.isToOne()) {
            throw PgrstError.spreadNotToOne(parent.label(), item.name());
        }
        Table target = cache.table(relationship.target()).orElseThrow();
        ReadNode child = new ReadNode(new ReadNode.TableSource(target), nextAlias("t"), target.name().name());
        select(child, item.children());
        String junctionAlias = relationship.junction() != null ? nextAlias("j") : null;
        Embed embed = new Embed(item.label(), relationship, item.join() == Syntax.JoinType.INNER, child,
                nextAlias("e"), junctionAlias);
        parent.embeds.add(embed);
        if (!item.children().isEmpty()) {
            parent.outputs.add(item.spread() ? new Output.Spread(embed) : new Output.Nested(embed));
        }
        if (embed.inner()) {
            parent.conditions.add(new Condition.EmbedPresence(embed, true));
        }
    }

    /** PostgREST's relationship search: by target name, foreign key name or column, narrowed by the hint. */
    private Relationship relationship(ReadNode parent, Table parentTable, String name, String hint) {
        String parentName = parentTable == null ? parent.label() : parentTable.name().name();
        if (parentTable == null) {
            throw PgrstError.noRelationship(parentName, name, hint, schema);
        }
        List<Relationship> candidates = new ArrayList<>();
        for (Relationship rel : cache.relationshipsFrom(parentTable.name())) {
            if (!rel.target().schema().equals(parentTable.name().schema())) {
                continue;
            }
            boolean byTable = rel.target().name().equals(name);
            boolean byConstraint = hint == null && rel.junction() == null && rel.constraint().equals(name);
            boolean byColumn = hint == null && rel.junction() == null && rel.columns().size() == 1
                    && rel.isToOne() && rel.columns().get(0).source().equals(name);
            if (!(byTable || byConstraint || byColumn)) {
                continue;
            }
            if (hint != null && !matchesHint(rel, hint)) {
                continue;
            }
            candidates.add(rel);
        }
        if (candidates.isEmpty()) {
            throw PgrstError.noRelationship(parentName, name, hint, parentTable.name().schema());
        }
        if (candidates.size() == 2 && hint != null && isSelfReference(candidates)) {
            // employees!manager_id: the rows that point here (PostgREST's documented recursive
            // one-to-many); the parent itself is embedded by the column, manager_id(...).
            return candidates.stream().filter(r -> !r.isToOne() || r.columns().get(0).target().equals(hint))
                    .findFirst().orElse(candidates.get(0));
        }
        if (candidates.size() > 1) {
            throw ambiguous(parentName, name, candidates);
        }
        return candidates.get(0);
    }

    /** The two directions of one foreign key from a table to itself. */
    private static boolean isSelfReference(List<Relationship> candidates) {
        Relationship a = candidates.get(0);
        Relationship b = candidates.get(1);
        return a.junction() == null && b.junction() == null && a.constraint().equals(b.constraint())
                && a.source().equals(a.target()) && b.source().equals(b.target());
    }

    private static boolean matchesHint(Relationship rel, String hint) {
        if (rel.junction() != null) {
            return rel.junction().table().name().equals(hint);
        }
        if (rel.constraint().equals(hint)) {
            return true;
        }
        return rel.columns().size() == 1
                && (rel.columns().get(0).source().equals(hint) || rel.columns().get(0).target().equals(hint));
    }

    private static PgrstError ambiguous(String parent, String child, List<Relationship> rels) {
        ArrayNode details = Json.mapper().createArrayNode();
        List<String> hints = new ArrayList<>();
        for (Relationship rel : rels) {
            ObjectNode entry = details.addObject();
            entry.put("cardinality", rel.cardinality().label());
            entry.put("embedding", rel.source().name() + " with " + rel.target().name());
            if (rel.junction() != null) {
                entry.put("relationship", rel.junction().table().name() + " using " + rel.constraint()
                        + cols(rel.columns(), false) + " and " + rel.junction().targetConstraint()
                        + cols(rel.junction().targetColumns(), true));
                hints.add("'" + child + "!" + rel.junction().table().name() + "'");
            } else {
                entry.put("relationship", rel.constraint() + " using " + rel.source().name() + cols(rel.columns(), true)
                        + " and " + rel.target().name() + cols(rel.columns(), false));
                hints.add("'" + child + "!" + rel.constraint() + "'");
            }
        }
        return new PgrstError(300, "PGRST201",
                "Could not embed because more than one relationship was found for '" + parent + "' and '" + child + "'",
                details, TextNode.valueOf("Try changing '" + child + "' to one of the following: " + String.join(", ", hints)
                        + ". Find the desired relationship in the 'details' key."), Map.of());
    }

    private static String cols(List<Relationship.ColumnPair> pairs, boolean source) {
        List<String> names = new ArrayList<>();
        for (Relationship.ColumnPair pair : pairs) {
            names.add(source ? pair.source() : pair.target());
        }
        return "(" + String.join(", ", names) + ")";
    }

    // ---- filters, logic, order -------------------------------------------------------------------

    private ReadNode resolve(ReadNode root, List<String> path) {
        ReadNode node = root;
        for (String step : path) {
            ReadNode next = null;
            for (Embed embed : node.embeds) {
                if (embed.label().equals(step) || embed.child().label().equals(step)) {
                    next = embed.child();
                    break;
                }
            }
            if (next == null) {
                throw PgrstError.notEmbedded(step);
            }
            node = next;
        }
        return node;
    }

    private Condition filterCondition(ReadNode node, Syntax.Filter filter, List<String> pathForErrors) {
        Syntax.Field field = filter.field();
        if (node.column(field.name()) == null && field.path().isEmpty()) {
            Embed embed = embedByLabel(node, field.name());
            if (embed != null) {
                return embedPresence(embed, filter.expr());
            }
        }
        ColumnRef ref = ref(node, field);
        validate(ref, filter.expr().operation());
        return new Condition.FieldCondition(ref, filter.expr().negated(), filter.expr().operation());
    }

    private static Embed embedByLabel(ReadNode node, String label) {
        for (Embed embed : node.embeds) {
            if (embed.label().equals(label)) {
                return embed;
            }
        }
        return null;
    }

    /** {@code embed=is.null} / {@code embed=not.is.null}; anything else on an embed is PGRST120. */
    private static Condition embedPresence(Embed embed, Syntax.OpExpr expr) {
        if (expr.operation() instanceof Syntax.Is is
                && (is.value() == Syntax.IsValue.NULL || is.value() == Syntax.IsValue.NOT_NULL)) {
            boolean isNull = is.value() == Syntax.IsValue.NULL;
            return new Condition.EmbedPresence(embed, expr.negated() == isNull);
        }
        throw PgrstError.embedFilter(embed.label());
    }

    /**
     * Refuses, as Postgres would, operations the operand's type has no operator for — so a bad
     * request never reaches Postgres as SQL that cannot be planned.
     */
    private void validate(ColumnRef ref, Syntax.Operation operation) {
        if (operation instanceof Syntax.FullText fts && fts.config() != null && !cache.hasTextSearchConfig(fts.config())) {
            throw PgrstError.undefinedObject("text search configuration \"" + fts.config() + "\" does not exist");
        }
        if (operation instanceof Syntax.Compare compare) {
            Column.TypeKind kind = ref.resultKind();
            boolean supported = switch (compare.operator()) {
                case CS, CD -> kind == Column.TypeKind.ARRAY || kind == Column.TypeKind.RANGE || kind.isJson();
                case OV -> kind == Column.TypeKind.ARRAY || kind == Column.TypeKind.RANGE;
                case SL, SR, NXL, NXR, ADJ -> kind == Column.TypeKind.RANGE;
                default -> true;
            };
            if (!supported) {
                throw undefinedOperator(ref.resultType(), compare.operator().sql(), ref.resultType());
            }
            // ANY/ALL over an array of arrays compares single elements: an array column cannot be quantified.
            if (compare.quantifier() != Syntax.Quantifier.NONE && kind == Column.TypeKind.ARRAY
                    && !compare.operator().isPattern()) {
                throw undefinedOperator(ref.resultType(), compare.operator().sql(), "element");
            }
        }
    }

    private static PgrstError undefinedOperator(String left, String operator, String right) {
        return new PgrstError(404, "42883", "operator does not exist: " + left + " " + operator + " " + right, null,
                "No operator matches the given name and argument types. You might need to add explicit type casts.");
    }

    private Condition logicCondition(ReadNode node, LogicTree tree) {
        return switch (tree) {
            case LogicLeaf leaf -> filterCondition(node, leaf.filter(), null);
            case LogicGroup group -> {
                List<Condition> children = new ArrayList<>();
                for (LogicTree child : group.children()) {
                    children.add(logicCondition(node, child));
                }
                yield new Condition.Group(group.and(), group.negated(), List.copyOf(children));
            }
        };
    }

    private Ordering ordering(ReadNode node, OrderTerm term) {
        if (term.relation() == null) {
            return new Ordering(ref(node, term.field()), null, null, term.descending(), term.nullsFirst());
        }
        Embed embed = embedByLabel(node, term.relation());
        if (embed == null) {
            for (Embed candidate : node.embeds) {
                if (candidate.child().label().equals(term.relation())) {
                    embed = candidate;
                }
            }
        }
        if (embed == null) {
            throw PgrstError.notEmbedded(term.relation());
        }
        if (!embed.toOne()) {
            throw PgrstError.relatedOrder(node.label(), term.relation());
        }
        String column = term.field().outputName();
        if (!term.field().path().isEmpty() || !embed.child().outputNames().contains(column)) {
            throw PgrstError.undefinedColumn(embed.lateralAlias(), column);
        }
        return new Ordering(null, embed.lateralAlias(), column, term.descending(), term.nullsFirst());
    }

    private String nextAlias(String prefix) {
        return prefix + (aliases++);
    }

    /** The qualified name of a relation in this planner's schema. */
    public QualifiedName name(String relation) {
        return new QualifiedName(schema, relation);
    }
}
