package dev.anvil.server.database.rawsql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;

/**
 * Raw-SQL parameters arrive as JSON and are sent to Postgres as untyped text, exactly as node-pg
 * prepares them (so {@code $1::int}, {@code = ANY($1)} and {@code $1::jsonb} behave as with InsForge):
 * booleans and numbers as their text, arrays as Postgres array literals, objects as JSON text.
 */
public final class NodePgParameters {

    private NodePgParameters() {
    }

    /** The parameter's text, or null for SQL NULL. */
    public static String toText(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isIntegralNumber()) {
            return value.asText();
        }
        if (value.isNumber()) {
            // JavaScript prints 100.0 as "100"; Postgres would refuse "100.0" for an integer column.
            return value.decimalValue().stripTrailingZeros().toPlainString();
        }
        if (value.isArray()) {
            return arrayLiteral(value);
        }
        return Json.string(value);
    }

    /** node-pg's {@code arrayString}: every element double-quoted with {@code \} and {@code "} escaped, nulls as NULL. */
    private static String arrayLiteral(JsonNode array) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < array.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            JsonNode element = array.get(i);
            if (element == null || element.isNull()) {
                out.append("NULL");
            } else if (element.isArray()) {
                out.append(arrayLiteral(element));
            } else {
                String text = toText(element);
                out.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return out.append('}').toString();
    }
}
