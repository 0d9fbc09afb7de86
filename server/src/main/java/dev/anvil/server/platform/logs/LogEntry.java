package dev.anvil.server.platform.logs;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * One line of a log source in InsForge's shape ({@code LogSchema}): {@code id}, {@code eventMessage},
 * {@code timestamp}, {@code body} (the structured fields), and {@code source} where results mix sources.
 */
public record LogEntry(String id, Instant timestamp, String eventMessage, ObjectNode body) {

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("id", id);
        json.put("eventMessage", eventMessage);
        json.put("timestamp", timestamp.toString());
        json.set("body", body);
        return json;
    }

    public ObjectNode toJson(String source) {
        return toJson().put("source", source);
    }
}
