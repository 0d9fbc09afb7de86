package dev.anvil.server.records.plan;

import java.util.List;

import dev.anvil.server.records.parse.Syntax.Operation;

/** A typed row condition of one planned relation. */
public sealed interface Condition {

    /** {@code lhs <operation>}, negated with {@code not.}. */
    record FieldCondition(ColumnRef lhs, boolean negated, Operation operation) implements Condition {
    }

    /** An {@code and}/{@code or} group. */
    record Group(boolean and, boolean negated, List<Condition> children) implements Condition {
    }

    /**
     * An embed that must (or must not) have a match: {@code !inner}, {@code embed=not.is.null},
     * {@code embed=is.null}.
     */
    record EmbedPresence(Embed embed, boolean present) implements Condition {
    }
}
