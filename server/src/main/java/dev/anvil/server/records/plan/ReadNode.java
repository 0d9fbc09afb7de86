package dev.anvil.server.records.plan;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.Table;

/**
 * One relation of a read plan: where its rows come from, its SQL alias, its output row, conditions,
 * order and range, and its embeds (each with a plan of its own). Built by the planner; mutable only
 * while it is being built.
 */
public final class ReadNode {

    /** Where a node's rows come from. */
    public sealed interface Source {
    }

    /** A table or view. */
    public record TableSource(Table table) implements Source {
    }

    /** The rows of {@code pgrst_source} (the CTE of a write, or of a function call). */
    public record CteSource(String label, List<Column> columns, Table table) implements Source {
    }

    private final Source source;
    private final String alias;
    private final String label;
    final List<Output> outputs = new ArrayList<>();
    final List<Condition> conditions = new ArrayList<>();
    final List<Ordering> order = new ArrayList<>();
    final List<Embed> embeds = new ArrayList<>();
    Long limit;
    long offset;

    ReadNode(Source source, String alias, String label) {
        this.source = source;
        this.alias = alias;
        this.label = label;
    }

    public Source source() {
        return source;
    }

    public String alias() {
        return alias;
    }

    /** The name the node is known by in errors (its table's name). */
    public String label() {
        return label;
    }

    public List<Output> outputs() {
        return outputs;
    }

    public List<Condition> conditions() {
        return conditions;
    }

    public List<Ordering> order() {
        return order;
    }

    public List<Embed> embeds() {
        return embeds;
    }

    public Long limit() {
        return limit;
    }

    public long offset() {
        return offset;
    }

    /** The columns rows of this node have. */
    public List<Column> columns() {
        return switch (source) {
            case TableSource t -> t.table().columns();
            case CteSource c -> c.columns();
        };
    }

    /** The table behind the node (for relationships), or null (a composite function result). */
    public Table table() {
        return switch (source) {
            case TableSource t -> t.table();
            case CteSource c -> c.table();
        };
    }

    public Column column(String name) {
        for (Column column : columns()) {
            if (column.name().equals(name)) {
                return column;
            }
        }
        return null;
    }

    /**
     * Output names in order, spreads expanded, each once — the keys of each output row. A name
     * selected twice ({@code id,id}, or a spread column the parent also has) is output once, the
     * first time: JSON objects cannot hold it twice, and a parent referring to it must not be
     * ambiguous.
     */
    public List<String> outputNames() {
        // Asked for several times per request once planning is over; outputs no longer change then.
        if (outputNames == null) {
            outputNames = computeOutputNames();
        }
        return outputNames;
    }

    private List<String> outputNames;

    private List<String> computeOutputNames() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (Output output : outputs) {
            if (output instanceof Output.Spread spread) {
                names.addAll(spread.embed().child().outputNames());
            } else {
                names.add(output.name());
            }
        }
        return List.copyOf(names);
    }

    /** Conditions that need an embed's lateral subquery (so count queries include it). */
    public boolean needsEmbedInWhere(Embed embed) {
        return needs(conditions, embed);
    }

    private static boolean needs(List<Condition> conditions, Embed embed) {
        for (Condition condition : conditions) {
            if (condition instanceof Condition.EmbedPresence p && p.embed() == embed) {
                return true;
            }
            if (condition instanceof Condition.Group g && needs(g.children(), embed)) {
                return true;
            }
        }
        return false;
    }
}
