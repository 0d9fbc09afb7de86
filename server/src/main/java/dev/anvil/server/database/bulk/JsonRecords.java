package dev.anvil.server.database.bulk;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;

/** JSON records read one at a time: a top-level array of objects, or one object (as InsForge accepts). */
final class JsonRecords implements RecordSource {

    private final JsonParser parser;
    private final boolean array;
    private boolean single;

    JsonRecords(InputStream in) throws IOException {
        this.parser = Json.mapper().createParser(in);
        JsonToken first = parser.nextToken();
        if (first == JsonToken.START_ARRAY) {
            array = true;
        } else if (first == JsonToken.START_OBJECT) {
            array = false;
            single = true;
        } else {
            throw ApiException.invalidInput("Failed to parse .json file: expected an array of objects or an object");
        }
    }

    @Override
    public Map<String, Object> next() throws IOException {
        if (!array) {
            if (!single) {
                return null;
            }
            single = false;
            return record(Json.mapper().readTree(parser));
        }
        JsonToken token = parser.nextToken();
        if (token == JsonToken.END_ARRAY || token == null) {
            return null;
        }
        if (token != JsonToken.START_OBJECT) {
            throw ApiException.invalidInput("Failed to parse .json file: every element of the array must be an object");
        }
        return record(Json.mapper().readTree(parser));
    }

    private static Map<String, Object> record(JsonNode object) {
        Map<String, Object> record = new LinkedHashMap<>();
        object.fields().forEachRemaining(field -> record.put(field.getKey(), field.getValue()));
        return record;
    }
}
