package dev.anvil.server.records.schema;

/** A relation or function name with its schema, as PostgREST's {@code QualifiedIdentifier}. */
public record QualifiedName(String schema, String name) {

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
