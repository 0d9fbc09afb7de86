package dev.anvil.server.database.tables;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;

/**
 * A JSON request body checked the way InsForge's zod schemas check it, with the same messages and
 * dotted paths ({@code columns.0.isNullable: Required}, {@code tableName: Expected string, received
 * number}), so clients that show InsForge's messages show ours. The first problem found is reported.
 */
final class RequestShape {

    private final JsonNode node;
    private final String path;
    private final String schemaName;

    private RequestShape(JsonNode node, String path, String schemaName) {
        this.node = node;
        this.path = path;
        this.schemaName = schemaName;
    }

    /** @param schemaName the request schema's name, for the hint ("CreateTableRequest") */
    static RequestShape of(JsonNode body, String schemaName) {
        RequestShape root = new RequestShape(body, "", schemaName);
        if (!body.isObject()) {
            throw root.problem("Expected object, received " + typeOf(body));
        }
        return root;
    }

    /** A string field; null when absent and not required. */
    String string(String name, boolean required) {
        JsonNode value = field(name, required);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw at(name).problem("Expected string, received " + typeOf(value));
        }
        return value.textValue();
    }

    /** A string with zod's {@code min}/{@code max} length checks (in characters). */
    String string(String name, boolean required, int min, String tooShort, int max, String tooLong) {
        String value = string(name, required);
        if (value != null && value.length() < min) {
            throw at(name).problem(tooShort);
        }
        if (value != null && value.length() > max) {
            throw at(name).problem(tooLong);
        }
        return value;
    }

    Boolean bool(String name, boolean required) {
        JsonNode value = field(name, required);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            throw at(name).problem("Expected boolean, received " + typeOf(value));
        }
        return value.booleanValue();
    }

    /** One of the allowed values (compared as given), or null when absent and not required. */
    String oneOf(String name, boolean required, List<String> allowed) {
        String value = string(name, required);
        if (value != null && !allowed.contains(value)) {
            throw at(name).problem("Invalid enum value. Expected " + String.join(" | ", allowed.stream().map(v -> "'" + v + "'").toList())
                    + ", received '" + value + "'");
        }
        return value;
    }

    /** An array of objects, each as a shape of its own; empty when absent and not required. */
    List<RequestShape> objects(String name, boolean required, int min, String tooFew) {
        List<RequestShape> items = new ArrayList<>();
        JsonNode array = array(name, required);
        if (array == null) {
            return items;
        }
        RequestShape arrayShape = at(name);
        if (array.size() < min) {
            throw arrayShape.problem(tooFew);
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            RequestShape itemShape = arrayShape.at(String.valueOf(i));
            if (!item.isObject()) {
                throw new RequestShape(item, itemShape.path, schemaName).problem("Expected object, received " + typeOf(item));
            }
            items.add(new RequestShape(item, itemShape.path, schemaName));
        }
        return items;
    }

    /** An array of strings; empty when absent. */
    List<String> strings(String name) {
        List<String> items = new ArrayList<>();
        JsonNode array = array(name, false);
        if (array == null) {
            return items;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (!item.isTextual()) {
                throw at(name).at(String.valueOf(i)).problem("Expected string, received " + typeOf(item));
            }
            items.add(item.textValue());
        }
        return items;
    }

    /** A nested object, or null when absent. */
    RequestShape object(String name) {
        JsonNode value = field(name, false);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw at(name).problem("Expected object, received " + typeOf(value));
        }
        return new RequestShape(value, at(name).path, schemaName);
    }

    /** A 400 {@code INVALID_INPUT} about the named field. */
    ApiException invalid(String name, String message) {
        return at(name).problem(message);
    }

    private JsonNode array(String name, boolean required) {
        JsonNode value = field(name, required);
        if (value != null && !value.isArray()) {
            throw at(name).problem("Expected array, received " + typeOf(value));
        }
        return value;
    }

    private JsonNode field(String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                throw at(name).problem("Required");
            }
            return null;
        }
        return value;
    }

    private RequestShape at(String name) {
        return new RequestShape(node, path.isEmpty() ? name : path + "." + name, schemaName);
    }

    private ApiException problem(String message) {
        return new ApiException(400, "INVALID_INPUT", path.isEmpty() ? message : path + ": " + message,
                "Please check the request body, it must conform with the " + schemaName + " schema.");
    }

    private static String typeOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case NULL, MISSING -> "null";
            default -> "object";
        };
    }
}
