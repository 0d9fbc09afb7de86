package dev.anvil.server.records.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.ApiRequest;
import dev.anvil.server.records.parse.ApiRequest.Action;
import dev.anvil.server.records.parse.Payload;
import dev.anvil.server.records.parse.Preferences;
import dev.anvil.server.records.parse.QueryParts;
import dev.anvil.server.records.parse.QueryString;
import dev.anvil.server.records.parse.Syntax;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.QualifiedName;
import dev.anvil.server.records.schema.Routine;
import dev.anvil.server.records.schema.SchemaCache;
import dev.anvil.server.records.schema.Table;

/**
 * Plans a parsed request against a schema cache snapshot: reads through {@link ReadPlanner}; writes
 * with their column list, conflict target, PUT key and returned shape; calls with the overload the
 * arguments choose. Names the cache does not know raise {@link MissingName} so the caller can reload
 * the cache once and try again.
 */
public final class Planner {

    static final String MUTATION_CTE = "pgrst_mutation";
    static final String CALL_CTE = "pgrst_call";

    /**
     * Something the cache does not have — maybe it is just newer than the cache. {@code relation} or
     * {@code function} name what to look for in the catalog before reloading; both null means the
     * caller can only reload and see.
     */
    public static final class MissingName extends RuntimeException {
        private final PgrstError error;
        private final QualifiedName relation;
        private final QualifiedName function;

        MissingName(PgrstError error) {
            this(error, null, null);
        }

        MissingName(PgrstError error, QualifiedName relation, QualifiedName function) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.relation = relation;
            this.function = function;
        }

        public PgrstError error() {
            return error;
        }

        public QualifiedName relation() {
            return relation;
        }

        public QualifiedName function() {
            return function;
        }
    }

    private Planner() {
    }

    public static ActionPlan plan(ApiRequest request, SchemaCache cache) {
        ReadPlanner reads = new ReadPlanner(cache, request.target().schema());
        if (request.action().isCall()) {
            return call(request, cache, reads);
        }
        Table table = cache.table(request.target()).orElseThrow(() -> new MissingName(
                PgrstError.tableNotFound(request.target().schema(), request.target().name()), request.target(), null));
        try {
            return switch (request.action()) {
                case READ, HEAD -> new ActionPlan.Read(request, table, reads.plan(new ReadNode.TableSource(table),
                        table.name().name(), request.query(), true, request.offset(), request.limit()));
                case CREATE -> insert(request, table, reads);
                case UPDATE -> update(request, table, reads);
                case DELETE -> delete(request, table, reads);
                case PUT -> put(request, table, reads);
                default -> throw new IllegalStateException(request.action().name());
            };
        } catch (PgrstError e) {
            // A column or relationship the cache lacks may be one it does not know yet.
            if (e.code().equals("42703") || e.code().equals("PGRST200") || e.code().equals("PGRST204")) {
                throw new MissingName(e);
            }
            throw e;
        }
    }

    // ---- writes ----------------------------------------------------------------------------------

    private static ActionPlan insert(ApiRequest request, Table table, ReadPlanner reads) {
        Payload payload = request.payload();
        QueryParts query = request.query();
        payload.requireRows(query.columns() != null);
        List<Column> columns = columns(table, query.columns() != null ? query.columns() : payload.keys(), true);
        Preferences prefs = request.preferences();
        ActionPlan.Conflict conflict = null;
        if (prefs.resolution() != null) {
            List<String> target = query.onConflict() != null ? query.onConflict() : table.primaryKey();
            for (String name : target) {
                if (table.column(name).isEmpty()) {
                    throw PgrstError.undefinedColumn(table.name().name(), name);
                }
            }
            boolean merge = prefs.resolution() == Preferences.Resolution.MERGE;
            if (!target.isEmpty() && !table.isUniqueKey(target)) {
                throw PgrstError.dataError("42P10",
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification");
            }
            if (target.isEmpty() && merge) {
                throw PgrstError.dataError("42P10",
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification");
            }
            conflict = new ActionPlan.Conflict(List.copyOf(target), merge);
        }
        ReadNode target = reads.writeTarget(table);
        return mutate(request, ActionPlan.Mutate.Kind.INSERT, table, target, List.of(), columns, payload,
                prefs.missing() == Preferences.Missing.DEFAULT, conflict, List.of(), reads);
    }

    private static ActionPlan update(ApiRequest request, Table table, ReadPlanner reads) {
        Payload payload = request.payload();
        QueryParts query = request.query();
        payload.requireRows(query.columns() != null);
        List<Column> columns = columns(table, query.columns() != null ? query.columns() : payload.keys(), false);
        ReadNode target = reads.writeTarget(table);
        List<Condition> conditions = reads.rootConditions(target, query);
        limit(request, table, target, reads);
        return mutate(request, ActionPlan.Mutate.Kind.UPDATE, table, target, conditions, columns, payload, false, null,
                List.of(), reads);
    }

    private static ActionPlan delete(ApiRequest request, Table table, ReadPlanner reads) {
        ReadNode target = reads.writeTarget(table);
        List<Condition> conditions = reads.rootConditions(target, request.query());
        limit(request, table, target, reads);
        return mutate(request, ActionPlan.Mutate.Kind.DELETE, table, target, conditions, List.of(), null, false, null,
                List.of(), reads);
    }

    /**
     * PostgREST 12's limited updates and deletes: {@code limit}/{@code offset} (and {@code order})
     * pick which rows change. Rows are picked by {@code ctid}, which views do not have.
     */
    private static void limit(ApiRequest request, Table table, ReadNode target, ReadPlanner reads) {
        if (request.limit() == null && request.offset() == 0) {
            return;
        }
        if (table.kind() != 'r' && table.kind() != 'p') {
            throw new PgrstError(400, "PGRST127", "Feature not implemented",
                    "limit and offset on an update or delete are only supported on tables", null);
        }
        reads.limitWrite(target, request.query(), request.offset(), request.limit());
    }

    /** PUT: an upsert of one row whose primary key the URL's {@code eq} filters give (PGRST105 otherwise). */
    private static ActionPlan put(ApiRequest request, Table table, ReadPlanner reads) {
        QueryParts query = request.query();
        List<String> pk = table.primaryKey();
        Map<String, String> keyValues = new LinkedHashMap<>();
        boolean valid = !pk.isEmpty() && query.logic().isEmpty();
        for (QueryParts.PathFilter filter : query.filters()) {
            if (!filter.embedPath().isEmpty()) {
                continue;
            }
            Syntax.Filter f = filter.filter();
            if (f.expr().negated() || !f.field().path().isEmpty()
                    || !(f.expr().operation() instanceof Syntax.Compare compare)
                    || compare.operator() != Syntax.Operator.EQ || compare.quantifier() != Syntax.Quantifier.NONE
                    || keyValues.containsKey(f.field().name())) {
                valid = false;
                break;
            }
            keyValues.put(f.field().name(), compare.value());
        }
        if (!valid || !keyValues.keySet().equals(new HashSet<>(pk))) {
            throw PgrstError.putFilters();
        }
        Payload payload = request.payload();
        payload.requireRows(false);
        if (payload.rowCount() != 1) {
            throw PgrstError.invalidBody("PUT requires exactly one object in the body");
        }
        if (!payload.keys().containsAll(pk)) {
            throw PgrstError.putKeyMismatch();
        }
        List<Column> columns = columns(table, payload.keys(), true);
        List<ActionPlan.PutKey> keys = new ArrayList<>();
        for (String name : pk) {
            keys.add(new ActionPlan.PutKey(table.column(name).orElseThrow(), keyValues.get(name)));
        }
        ReadNode target = reads.writeTarget(table);
        return mutate(request, ActionPlan.Mutate.Kind.PUT, table, target, List.of(), columns, payload, false,
                new ActionPlan.Conflict(pk, true), List.copyOf(keys), reads);
    }

    private static ActionPlan mutate(ApiRequest request, ActionPlan.Mutate.Kind kind, Table table, ReadNode target,
                                     List<Condition> conditions, List<Column> columns, Payload payload,
                                     boolean missingDefault, ActionPlan.Conflict conflict, List<ActionPlan.PutKey> putKeys,
                                     ReadPlanner reads) {
        Preferences prefs = request.preferences();
        ActionPlan.Returning returning;
        ReadNode representation = null;
        if (prefs.wantsRepresentation()) {
            returning = ActionPlan.Returning.ROWS;
            representation = reads.plan(new ReadNode.CteSource(MUTATION_CTE, table.columns(), table), table.name().name(),
                    request.query(), false, 0, null);
            reads.orderRoot(representation, request.query());
        } else if (prefs.returning() == Preferences.Return.HEADERS_ONLY && kind == ActionPlan.Mutate.Kind.INSERT
                && !table.primaryKey().isEmpty()) {
            returning = ActionPlan.Returning.PRIMARY_KEY;
        } else {
            returning = ActionPlan.Returning.NOTHING;
        }
        String json = null;
        if (payload != null) {
            json = payload.isArray() ? payload.json() : "[" + payload.json() + "]";
        }
        return new ActionPlan.Mutate(request, kind, table, target, List.copyOf(conditions), List.copyOf(columns), json,
                missingDefault, conflict, putKeys, returning, representation);
    }

    /** The columns a write names; PGRST204 for one the table does not have. */
    private static List<Column> columns(Table table, List<String> names, boolean inserting) {
        Set<String> seen = new LinkedHashSet<>(names);
        List<Column> columns = new ArrayList<>();
        for (String name : seen) {
            Column column = table.column(name).orElseThrow(() -> PgrstError.columnNotFound(table.name().name(), name));
            if (column.generated()) {
                throw PgrstError.dataError("428C9", inserting
                        ? "cannot insert a non-DEFAULT value into column \"" + name + "\""
                        : "column \"" + name + "\" can only be updated to DEFAULT");
            }
            columns.add(column);
        }
        return columns;
    }

    // ---- calls -----------------------------------------------------------------------------------

    private static ActionPlan call(ApiRequest request, SchemaCache cache, ReadPlanner reads) {
        QualifiedName name = request.target();
        boolean post = request.action() == Action.CALL_POST;
        JsonNode body = post ? request.payload().root() : null;
        try {
            return callPlan(request, cache, reads, name, overloads(cache, name), post, body);
        } catch (PgrstError e) {
            if (e.code().equals("42703") || e.code().equals("PGRST200")) {
                throw new MissingName(e);
            }
            throw e;
        }
    }

    private static List<Routine> overloads(SchemaCache cache, QualifiedName name) {
        return cache.routines(name);
    }

    private static ActionPlan callPlan(ApiRequest request, SchemaCache cache, ReadPlanner reads, QualifiedName name,
                                       List<Routine> overloads, boolean post, JsonNode body) {
        List<String> keys = new ArrayList<>();
        if (post) {
            if (body.isObject()) {
                body.fieldNames().forEachRemaining(keys::add);
            }
        } else {
            for (QueryString.Pair pair : request.query().rpcArguments()) {
                if (!keys.contains(pair.key())) {
                    keys.add(pair.key());
                }
            }
        }
        if (overloads.isEmpty()) {
            throw new MissingName(PgrstError.noFunction(name.schema(), name.name(), keys, null), null, name);
        }
        List<Routine> matches = new ArrayList<>();
        Routine jsonBody = null;
        for (Routine routine : overloads) {
            if (post && routine.takesSingleJsonBody()) {
                jsonBody = routine;
                continue;
            }
            if (post && !body.isObject()) {
                continue;
            }
            Set<String> params = new HashSet<>();
            for (Routine.Param param : routine.params()) {
                params.add(param.name());
            }
            boolean required = routine.requiredParams().stream().allMatch(p -> keys.contains(p.name()));
            if (params.containsAll(keys) && required && routine.params().stream().noneMatch(p -> p.name().isEmpty())) {
                matches.add(routine);
            }
        }
        if (matches.size() > 1) {
            throw PgrstError.ambiguousFunction(describe(matches));
        }
        Routine routine;
        List<Routine.Param> passed = new ArrayList<>();
        String argsJson;
        if (matches.size() == 1) {
            routine = matches.get(0);
            for (Routine.Param param : routine.params()) {
                if (keys.contains(param.name())) {
                    passed.add(param);
                }
            }
            argsJson = post ? request.payload().json() : Json.string(getArguments(request, routine));
        } else if (jsonBody != null) {
            routine = jsonBody;
            argsJson = request.payload().json();
        } else {
            throw new MissingName(PgrstError.noFunction(name.schema(), name.name(), keys, null));
        }

        ReadNode root = null;
        if (routine.result() instanceof Routine.Composite composite) {
            root = reads.plan(new ReadNode.CteSource(CALL_CTE, composite.columns(),
                    composite.table() == null ? null : cache.table(composite.table()).orElse(null)),
                    name.name(), request.query(), true, request.offset(), request.limit());
        }
        Preferences prefs = request.preferences();
        if (prefs.handling() == Preferences.Handling.STRICT && prefs.maxAffected() != null && !routine.returnsSet()) {
            throw PgrstError.maxAffectedRpc();
        }
        return new ActionPlan.Call(request, routine, List.copyOf(passed), argsJson, root);
    }

    /** GET arguments as one JSON object; a repeated argument becomes an array (for array and variadic parameters). */
    private static ObjectNode getArguments(ApiRequest request, Routine routine) {
        ObjectNode args = Json.object();
        Set<String> jsonParams = new HashSet<>();
        for (Routine.Param param : routine.params()) {
            if (param.kind().isJson()) {
                jsonParams.add(param.name());
            }
        }
        for (QueryString.Pair pair : request.query().rpcArguments()) {
            JsonNode existing = args.get(pair.key());
            if (existing == null && jsonParams.contains(pair.key())) {
                args.set(pair.key(), parseOrText(pair.value()));
            } else if (existing == null) {
                args.put(pair.key(), pair.value());
            } else if (existing.isArray()) {
                ((ArrayNode) existing).add(pair.value());
            } else {
                ArrayNode array = args.putArray(pair.key());
                array.add(existing.asText());
                array.add(pair.value());
            }
        }
        return args;
    }

    /** A json/jsonb argument given in the URL is JSON text; anything that does not parse stays a string. */
    private static JsonNode parseOrText(String value) {
        try {
            JsonNode node = Json.mapper().readTree(value);
            return node == null || node.isMissingNode() ? com.fasterxml.jackson.databind.node.TextNode.valueOf(value) : node;
        } catch (java.io.IOException e) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(value);
        }
    }

    private static String describe(List<Routine> routines) {
        List<String> out = new ArrayList<>();
        for (Routine routine : routines) {
            List<String> params = new ArrayList<>();
            for (Routine.Param param : routine.params()) {
                params.add(param.name() + " => " + param.sqlType());
            }
            out.add(routine.name() + "(" + String.join(", ", params) + ")");
        }
        return String.join(", ", out);
    }
}
