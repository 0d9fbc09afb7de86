package dev.anvil.server.functions;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;

/**
 * Validation failures shaped like zod's issues. InsForge's function routes answer a failed
 * validation with 400 INVALID_INPUT whose {@code message} is the JSON text of the issue list
 * (contract §9), and the dashboard and MCP clients show it as such.
 */
final class ZodIssues {

    private final ArrayNode issues = Json.mapper().createArrayNode();

    boolean isEmpty() {
        return issues.isEmpty();
    }

    /** A missing field ("Required") or a value of the wrong JSON type. */
    void invalidType(String field, String expected, JsonNode received) {
        String receivedType = received == null ? "undefined" : typeOf(received);
        ObjectNode issue = issues.addObject();
        issue.put("code", "invalid_type");
        issue.put("expected", expected);
        issue.put("received", receivedType);
        path(issue, field);
        issue.put("message", received == null ? "Required" : "Expected " + expected + ", received " + receivedType);
    }

    void tooSmall(String field, int minimum, String message) {
        ObjectNode issue = issues.addObject();
        issue.put("code", "too_small");
        issue.put("minimum", minimum);
        issue.put("type", "string");
        issue.put("inclusive", true);
        issue.put("exact", false);
        issue.put("message", message);
        path(issue, field);
    }

    void tooBig(String field, int maximum) {
        ObjectNode issue = issues.addObject();
        issue.put("code", "too_big");
        issue.put("maximum", maximum);
        issue.put("type", "string");
        issue.put("inclusive", true);
        issue.put("exact", false);
        issue.put("message", "String must contain at most " + maximum + " character(s)");
        path(issue, field);
    }

    void regex(String field, String message) {
        ObjectNode issue = issues.addObject();
        issue.put("validation", "regex");
        issue.put("code", "invalid_string");
        issue.put("message", message);
        path(issue, field);
    }

    void invalidEnum(String field, List<String> options, String received) {
        ObjectNode issue = issues.addObject();
        issue.put("received", received);
        issue.put("code", "invalid_enum_value");
        ArrayNode allowed = issue.putArray("options");
        options.forEach(allowed::add);
        path(issue, field);
        issue.put("message", "Invalid enum value. Expected " + String.join(" | ", options.stream().map(o -> "'" + o + "'").toList())
                + ", received '" + received + "'");
    }

    ApiException toException() {
        return ApiException.invalidInput(Json.string(issues));
    }

    private static void path(ObjectNode issue, String field) {
        ArrayNode path = issue.putArray("path");
        if (field != null) {
            path.add(field);
        }
    }

    private static String typeOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            default -> "null";
        };
    }
}
