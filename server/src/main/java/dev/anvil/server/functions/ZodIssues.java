package dev.anvil.server.functions;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;

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
        String receivedType = received == null ? "undefined" : JsonFields.typeName(received);
        ObjectNode issue = issues.addObject();
        issue.put("code", "invalid_type");
        issue.put("expected", expected);
        issue.put("received", receivedType);
        path(issue, field);
        issue.put("message", received == null ? "Required" : "Expected " + expected + ", received " + receivedType);
    }

    void tooSmall(String field, int minimum, String message) {
        lengthIssue(field, "too_small", "minimum", minimum, message);
    }

    void tooBig(String field, int maximum) {
        lengthIssue(field, "too_big", "maximum", maximum, "String must contain at most " + maximum + " character(s)");
    }

    private void lengthIssue(String field, String code, String boundName, int bound, String message) {
        ObjectNode issue = issues.addObject();
        issue.put("code", code);
        issue.put(boundName, bound);
        issue.put("type", "string");
        issue.put("inclusive", true);
        issue.put("exact", false);
        issue.put("message", message);
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
}
