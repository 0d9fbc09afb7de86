package dev.anvil.server.records.parse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.records.PgrstError;

/**
 * A JSON request body: one object or an array of objects, the keys it sets, and its text as it goes
 * to Postgres (one bind parameter, whatever the number of rows). PostgREST's rule holds: without
 * {@code columns=}, every object of an array must have the same keys (PGRST102).
 */
public record Payload(JsonNode root, List<String> keys, String json) {

    /** Trailing content after the JSON value is an error here, as it is for Postgres' json parser. */
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = Json.mapper().reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses a body; an empty body is an error unless {@code emptyAs} is given. */
    public static Payload parse(byte[] body, JsonNode emptyAs) {
        if (body.length == 0 || isBlank(body)) {
            if (emptyAs == null) {
                throw PgrstError.invalidBody("Empty or invalid json");
            }
            return of(emptyAs);
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (IOException e) {
            throw PgrstError.invalidBody("Empty or invalid json");
        }
        if (root == null || root.isMissingNode()) {
            throw PgrstError.invalidBody("Empty or invalid json");
        }
        return new Payload(root, keysOf(root), new String(body, StandardCharsets.UTF_8));
    }

    public static Payload of(JsonNode root) {
        return new Payload(root, keysOf(root), Json.string(root));
    }

    public boolean isArray() {
        return root.isArray();
    }

    /** How many rows the body holds. */
    public int rowCount() {
        return root.isArray() ? root.size() : 1;
    }

    /** Checks the shape a table write needs: an object, or an array of objects with one key set. */
    public void requireRows(boolean keysGivenByColumns) {
        if (root.isObject()) {
            return;
        }
        if (!root.isArray()) {
            throw PgrstError.invalidBody("All object keys must match");
        }
        Set<String> first = null;
        for (JsonNode element : root) {
            if (!element.isObject()) {
                throw PgrstError.invalidBody("All object keys must match");
            }
            if (!keysGivenByColumns) {
                Set<String> these = new LinkedHashSet<>();
                element.fieldNames().forEachRemaining(these::add);
                if (first == null) {
                    first = these;
                } else if (!first.equals(these)) {
                    throw PgrstError.invalidBody("All object keys must match");
                }
            }
        }
    }

    /**
     * InsForge's proxy rule (contract §3.2 step 3): keys whose value is {@code ""} are dropped when
     * the column is not text-like. Returns this payload when nothing was dropped.
     */
    public Payload withoutEmptyStrings(java.util.function.Predicate<String> isTextColumn) {
        boolean changed = false;
        JsonNode copy = root.deepCopy();
        List<ObjectNode> objects = new ArrayList<>();
        if (copy.isObject()) {
            objects.add((ObjectNode) copy);
        } else if (copy.isArray()) {
            for (JsonNode element : (ArrayNode) copy) {
                if (element.isObject()) {
                    objects.add((ObjectNode) element);
                }
            }
        }
        for (ObjectNode object : objects) {
            Iterator<java.util.Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                if (field.getValue().isTextual() && field.getValue().asText().isEmpty() && !isTextColumn.test(field.getKey())) {
                    fields.remove();
                    changed = true;
                }
            }
        }
        return changed ? of(copy) : this;
    }

    private static List<String> keysOf(JsonNode root) {
        JsonNode first = root;
        if (root.isArray()) {
            first = root.isEmpty() ? null : root.get(0);
            // The union of keys, first object's order first: with columns= absent the keys must match anyway.
            Set<String> keys = new LinkedHashSet<>();
            for (JsonNode element : root) {
                if (element.isObject()) {
                    element.fieldNames().forEachRemaining(keys::add);
                }
            }
            return List.copyOf(keys);
        }
        List<String> keys = new ArrayList<>();
        if (first != null && first.isObject()) {
            first.fieldNames().forEachRemaining(keys::add);
        }
        return List.copyOf(keys);
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
