package dev.anvil.server.records.parse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.Syntax.Filter;
import dev.anvil.server.records.parse.Syntax.FtsKind;
import dev.anvil.server.records.parse.Syntax.LogicTree;
import dev.anvil.server.records.parse.Syntax.Operator;
import dev.anvil.server.records.parse.Syntax.OrderTerm;
import dev.anvil.server.records.parse.Syntax.SelectItem;

/**
 * The query string of a records or RPC request, sorted into what each part means (PostgREST's
 * {@code QueryParams}): {@code select}, filters and {@code or}/{@code and} trees per embed path,
 * {@code order}/{@code limit}/{@code offset} per embed path, {@code columns}, {@code on_conflict},
 * and — for RPC by GET — the function's arguments.
 *
 * @param select      the select tree, or null when the request has no {@code select} (meaning {@code *})
 * @param rpcArguments parameters that are not filters (RPC arguments); empty for table requests
 */
public record QueryParts(List<SelectItem> select, List<PathFilter> filters, List<PathLogic> logic,
                         Map<List<String>, List<OrderTerm>> order, Map<List<String>, Long> limits,
                         Map<List<String>, Long> offsets, List<String> columns, List<String> onConflict,
                         List<QueryString.Pair> rpcArguments, String canonical) {

    /** A filter on the resource at {@code embedPath} (empty = the root). */
    public record PathFilter(List<String> embedPath, Filter filter) {
    }

    /** An {@code or}/{@code and} tree on the resource at {@code embedPath}. */
    public record PathLogic(List<String> embedPath, LogicTree tree) {
    }

    private static final Set<String> RESERVED = Set.of("select", "columns", "on_conflict");
    private static final Set<String> EMBEDDABLE = Set.of("order", "limit", "offset", "and", "or");

    /**
     * @param forRpc parameters without an operator are function arguments (RPC); for tables they
     *               are refused as filters that do not parse
     */
    public static QueryParts parse(List<QueryString.Pair> pairs, boolean forRpc) {
        List<SelectItem> select = null;
        List<PathFilter> filters = new ArrayList<>();
        List<PathLogic> logic = new ArrayList<>();
        Map<List<String>, List<OrderTerm>> order = new HashMap<>();
        Map<List<String>, Long> limits = new HashMap<>();
        Map<List<String>, Long> offsets = new HashMap<>();
        List<String> columns = null;
        List<String> onConflict = null;
        List<QueryString.Pair> arguments = new ArrayList<>();

        for (QueryString.Pair pair : pairs) {
            String key = pair.key();
            String value = pair.value();
            switch (key) {
                case "select" -> {
                    if (select == null && value != null) {
                        select = Grammar.select(value);
                    }
                    continue;
                }
                case "columns" -> {
                    if (columns == null && value != null) {
                        columns = Grammar.columnList(value, "columns");
                    }
                    continue;
                }
                case "on_conflict" -> {
                    if (onConflict == null && value != null) {
                        onConflict = Grammar.columnList(value, "on_conflict");
                    }
                    continue;
                }
                default -> {
                    // below
                }
            }
            if (value == null) {
                continue; // PostgREST ignores keys without a value
            }
            String[] parts = key.split("\\.", -1);
            String last = parts[parts.length - 1];
            if (EMBEDDABLE.contains(last)) {
                List<String> path = embedPath(parts, last.equals("or") || last.equals("and"));
                switch (last) {
                    case "order" -> order.merge(path, Grammar.order(value), (a, b) -> a);
                    case "limit" -> parseCount(value).ifPresent(n -> {
                        if (n < 0) {
                            throw PgrstError.range("Limit should be greater than or equal to zero.");
                        }
                        limits.putIfAbsent(path, n);
                    });
                    case "offset" -> parseCount(value).ifPresent(n -> {
                        if (n < 0) {
                            throw PgrstError.dataError("2201X", "OFFSET must not be negative");
                        }
                        offsets.putIfAbsent(path, n);
                    });
                    default -> {
                        boolean negated = parts.length > 1 && parts[parts.length - 2].equals("not");
                        logic.add(new PathLogic(path, Grammar.logic((negated ? "not." : "") + last, value)));
                    }
                }
                continue;
            }
            if (forRpc && !key.contains(".") && !hasOperator(value)) {
                arguments.add(pair);
                continue;
            }
            Grammar.KeyPath keyPath = Grammar.keyPath(key);
            filters.add(new PathFilter(keyPath.embedPath(), new Filter(keyPath.field(), Grammar.filterValue(value))));
        }
        return new QueryParts(select == null ? null : List.copyOf(select), List.copyOf(filters), List.copyOf(logic),
                Map.copyOf(order), Map.copyOf(limits), Map.copyOf(offsets), columns, onConflict, List.copyOf(arguments),
                canonical(pairs));
    }

    /** The embed path of a reserved key: everything before the last part (and before {@code not}). */
    private static List<String> embedPath(String[] parts, boolean logicKey) {
        int end = parts.length - 1;
        if (logicKey && end > 0 && parts[end - 1].equals("not")) {
            end--;
        }
        List<String> path = new ArrayList<>(end);
        for (int i = 0; i < end; i++) {
            path.add(parts[i]);
        }
        return List.copyOf(path);
    }

    /** PostgREST reads limit/offset with {@code readMaybe}: anything but an integer is ignored. */
    private static java.util.Optional<Long> parseCount(String value) {
        try {
            return java.util.Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** PostgREST's test for "this value is a filter": it starts with an operator. */
    static boolean hasOperator(String value) {
        String[] parts = value.split("\\.", -1);
        if (parts.length >= 3 && parts[0].equals("not")) {
            return true;
        }
        String head = parts[0];
        if (parts.length >= 2 && (head.equals("is") || head.equals("in") || head.equals("isdistinct"))) {
            return true;
        }
        int paren = head.indexOf('(');
        String op = paren >= 0 ? head.substring(0, paren) : head;
        if (parts.length >= 2 && (Operator.of(op) != null || FtsKind.of(op) != null)) {
            return true;
        }
        return paren > 0 && FtsKind.of(op) != null;
    }

    private static String canonical(List<QueryString.Pair> pairs) {
        if (pairs.isEmpty()) {
            return "";
        }
        List<QueryString.Pair> sorted = pairs;
        if (pairs.size() > 1) {
            sorted = new ArrayList<>(pairs);
            sorted.sort(Comparator.comparing(QueryString.Pair::key));
        }
        StringBuilder out = new StringBuilder();
        for (QueryString.Pair pair : sorted) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(QueryString.encode(pair.key())).append('=')
                    .append(pair.value() == null ? "" : QueryString.encode(pair.value()));
        }
        return out.toString();
    }

    /** Limit and offset of the root resource (no embed path). */
    public Long rootLimit() {
        return limits.get(List.of());
    }

    public Long rootOffset() {
        return offsets.get(List.of());
    }
}
