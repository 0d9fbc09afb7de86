package dev.anvil.server.database.grid;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;

/**
 * The grid's request bodies, validated as InsForge's zod schemas do
 * ({@code adminTableRecordsCreateRequestSchema}, {@code adminTableRecordUpdateRequestSchema},
 * {@code adminTableRecordsDeleteRequestSchema}), with the same path-prefixed messages.
 */
final class GridBodies {

    /** {@code PATCH}: the row's whole primary key and the columns to set. */
    record Update(ObjectNode key, ObjectNode data) {
    }

    private GridBodies() {
    }

    /** {@code POST}: a non-empty array of records (objects of column → value). */
    static List<ObjectNode> records(JsonNode body) {
        nonEmptyArray(body, "", "At least one record is required");
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            records.add(object(body.get(i), String.valueOf(i)));
        }
        return records;
    }

    static Update update(JsonNode body) {
        JsonFields fields = JsonFields.of(body);
        ObjectNode key = key(fields.raw().get("pkKeys"), "pkKeys");
        ObjectNode data = object(fields.raw().get("data"), "data");
        if (data.isEmpty()) {
            throw ApiException.invalidInput("data: At least one field is required.");
        }
        return new Update(key, data);
    }

    /** {@code DELETE}: {@code {pkKeys: [key, …]}}, at least one. */
    static List<ObjectNode> deleteKeys(JsonNode body) {
        JsonNode keys = JsonFields.of(body).raw().get("pkKeys");
        if (keys == null) {
            throw ApiException.invalidInput("pkKeys: Required");
        }
        nonEmptyArray(keys, "pkKeys: ", "At least one primary key is required");
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            out.add(key(keys.get(i), "pkKeys." + i));
        }
        return out;
    }

    /** A primary key: a non-empty object of column → string, number, boolean or null. */
    private static ObjectNode key(JsonNode node, String path) {
        ObjectNode key = object(node, path);
        if (key.isEmpty()) {
            throw ApiException.invalidInput(path + ": Primary key must include at least one column.");
        }
        key.properties().forEach(entry -> {
            if (entry.getKey().isBlank()) {
                throw ApiException.invalidInput(path + ": Primary key column is required");
            }
            if (entry.getValue().isContainerNode()) {
                throw ApiException.invalidInput(path + "." + entry.getKey() + ": Invalid input");
            }
        });
        return key;
    }

    /** @param prefix the field's path and ": ", or "" for the body itself (zod's message then has no path) */
    private static void nonEmptyArray(JsonNode node, String prefix, String emptyMessage) {
        if (!node.isArray()) {
            throw ApiException.invalidInput(prefix + "Expected array, received " + JsonFields.typeName(node));
        }
        if (node.isEmpty()) {
            throw ApiException.invalidInput(prefix + emptyMessage);
        }
    }

    private static ObjectNode object(JsonNode node, String path) {
        if (node == null) {
            throw ApiException.invalidInput(path + ": Required");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalidInput(path + ": Expected object, received " + JsonFields.typeName(node));
        }
        return object;
    }
}
