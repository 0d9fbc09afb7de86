package dev.anvil.server.records.schema;

import java.util.List;

/**
 * A function callable through {@code /rpc/<name>}.
 *
 * @param params      its input parameters, in order
 * @param result      what it returns
 * @param returnsSet  {@code RETURNS SETOF …} or {@code RETURNS TABLE (…)}
 * @param volatility  {@code i}mmutable, {@code s}table or {@code v}olatile
 */
public record Routine(QualifiedName name, List<Param> params, Result result, boolean returnsSet, char volatility) {

    /**
     * An input parameter.
     *
     * @param name       empty for an unnamed parameter
     * @param sqlType    as {@code format_type} prints it
     * @param kind       the type family
     * @param hasDefault the caller may omit it
     * @param variadic   a {@code VARIADIC} parameter (an array)
     */
    public record Param(String name, String sqlType, Column.TypeKind kind, boolean hasDefault, boolean variadic) {
    }

    /** What a function returns. */
    public sealed interface Result {
    }

    /** {@code RETURNS void}. */
    public record Void() implements Result {
    }

    /** A base, domain, enum, range or array value. */
    public record Scalar(String sqlType, Column.TypeKind kind) implements Result {
    }

    /**
     * A row type: a table's ({@code table} set, so embedding works from the result), a composite
     * type's, or the {@code OUT}/{@code TABLE} columns of the function.
     */
    public record Composite(List<Column> columns, QualifiedName table) implements Result {
    }

    /** The function takes exactly one unnamed json/jsonb parameter: the whole body is its argument. */
    public boolean takesSingleJsonBody() {
        return params.size() == 1 && params.get(0).name().isEmpty() && params.get(0).kind().isJson();
    }

    public List<Param> requiredParams() {
        return params.stream().filter(p -> !p.hasDefault()).toList();
    }
}
