package dev.anvil.server.db;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SET list of an UPDATE that changes only what a request sent: a column given a null value is
 * left as it is. Column names come from code, never from input; values are always parameters.
 */
public final class PartialUpdate {

    private final List<String> assignments = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    /** {@code column = ?} unless {@code value} is null. */
    public PartialUpdate set(String column, Object value) {
        return set(column, "?", value);
    }

    /** {@code column = <placeholder>} unless {@code value} is null; the placeholder may cast ({@code ?::timestamptz}). */
    public PartialUpdate set(String column, String placeholder, Object value) {
        if (value != null) {
            assign(column, placeholder, value);
        }
        return this;
    }

    /** {@code column = <placeholder>} with the value as given, null included (to clear a column). */
    public PartialUpdate assign(String column, String placeholder, Object value) {
        assignments.add(column + " = " + placeholder);
        params.add(value);
        return this;
    }

    /** {@code column = now()}. */
    public PartialUpdate touch(String column) {
        assignments.add(column + " = now()");
        return this;
    }

    /** The assignments, for {@code "UPDATE t SET " + sql() + " WHERE …"}. */
    public String sql() {
        return String.join(", ", assignments);
    }

    /** The parameters of the assignments followed by those of the rest of the statement. */
    public Object[] params(Object... more) {
        List<Object> all = new ArrayList<>(params);
        all.addAll(Arrays.asList(more));
        return all.toArray();
    }
}
