package dev.anvil.server.records.schema;

/** Identifier quoting for SQL text: always double-quoted, embedded quotes doubled. */
public final class SqlNames {

    private SqlNames() {
    }

    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL in identifier");
        }
        if (identifier.indexOf('"') < 0) {
            return "\"" + identifier + "\"";
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public static String quote(QualifiedName name) {
        return quote(name.schema()) + "." + quote(name.name());
    }
}
