package dev.anvil.server.records.plan;

import java.util.List;

import dev.anvil.server.records.parse.ApiRequest;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.Routine;
import dev.anvil.server.records.schema.Table;

/** What a request will do, fully resolved against the schema cache; the SQL renderer's input. */
public sealed interface ActionPlan {

    ApiRequest request();

    /** A read of a table or view. */
    record Read(ApiRequest request, Table table, ReadNode root) implements ActionPlan {
    }

    /** An insert (also upsert), update, delete or PUT, and how its result is returned. */
    record Mutate(ApiRequest request, Kind kind, Table table, ReadNode target, List<Condition> conditions,
                  List<Column> columns, String payloadJson, boolean missingDefault, Conflict conflict,
                  List<PutKey> putKeys, Returning returning, ReadNode representation) implements ActionPlan {

        public enum Kind { INSERT, UPDATE, DELETE, PUT }

        /** Nothing to change (an update with an empty body): answer as if no row matched. */
        public boolean noop() {
            return kind == Kind.UPDATE && columns.isEmpty();
        }

        /** An update or delete restricted by {@code limit}/{@code offset} (the target node holds them). */
        public boolean limited() {
            return target.limit() != null || target.offset() > 0;
        }
    }

    /** {@code ON CONFLICT (columns) DO UPDATE/NOTHING}; {@code columns} empty means no conflict target. */
    record Conflict(List<String> columns, boolean merge) {
    }

    /** A primary key column of a PUT and the value its URL filter gives it. */
    record PutKey(Column column, String value) {
    }

    /** What a write returns from its {@code RETURNING}. */
    enum Returning { NOTHING, PRIMARY_KEY, ROWS }

    /**
     * A function call. {@code root} plans the read over the function's rows when it returns a row
     * type; null for scalars and void.
     *
     * @param passed     the parameters the arguments bind to (empty for a single JSON body)
     * @param argsJson   the arguments as one JSON object (or the whole body for a single JSON parameter)
     */
    record Call(ApiRequest request, Routine routine, List<Routine.Param> passed, String argsJson, ReadNode root)
            implements ActionPlan {
    }
}
