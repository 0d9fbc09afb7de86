package dev.anvil.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed access to a JSON request object. Failures are 400 {@code INVALID_INPUT} with zod-style
 * messages ({@code "email: Required"}, {@code "limit: Expected number, received string"}), which is
 * what InsForge clients display.
 */
public final class JsonFields {

    private final ObjectNode node;

    private JsonFields(ObjectNode node) {
        this.node = node;
    }

    public static JsonFields of(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalidInput("Request body must be a JSON object");
        }
        return new JsonFields(object);
    }

    public ObjectNode raw() {
        return node;
    }

    public boolean has(String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    public String requiredString(String name) {
        return string(name).orElseThrow(() -> ApiException.invalidInput(name + ": Required"));
    }

    public Optional<String> string(String name) {
        JsonNode value = present(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw typeError(name, "string", value);
        }
        return Optional.of(value.textValue());
    }

    public Optional<Boolean> bool(String name) {
        JsonNode value = present(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw typeError(name, "boolean", value);
        }
        return Optional.of(value.booleanValue());
    }

    public Optional<Long> integer(String name) {
        JsonNode value = present(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw typeError(name, "number", value);
        }
        if (!value.isIntegralNumber() && value.doubleValue() != Math.rint(value.doubleValue())) {
            throw ApiException.invalidInput(name + ": Expected integer, received float");
        }
        return Optional.of(value.longValue());
    }

    public Optional<Double> number(String name) {
        JsonNode value = present(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw typeError(name, "number", value);
        }
        return Optional.of(value.doubleValue());
    }

    public Optional<List<String>> stringList(String name) {
        JsonNode value = present(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isArray()) {
            throw typeError(name, "array", value);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual()) {
                throw typeError(name + "." + i, "string", item);
            }
            out.add(item.textValue());
        }
        return Optional.of(out);
    }

    public Optional<ObjectNode> object(String name) {
        JsonNode value = present(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            throw typeError(name, "object", value);
        }
        return Optional.of((ObjectNode) value);
    }

    /** Any JSON value (including arrays), or empty when absent or null. */
    public Optional<JsonNode> node(String name) {
        return Optional.ofNullable(present(name));
    }

    private JsonNode present(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static ApiException typeError(String name, String expected, JsonNode actual) {
        return ApiException.invalidInput(name + ": Expected " + expected + ", received " + typeName(actual));
    }

    /** The JSON type of a value as zod names it in its messages ({@code "received string"}). */
    public static String typeName(JsonNode value) {
        JsonNodeType type = value.getNodeType();
        return switch (type) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            default -> "null";
        };
    }
}
