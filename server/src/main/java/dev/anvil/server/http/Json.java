package dev.anvil.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one JSON configuration of the server: ISO-8601 dates, nulls kept (InsForge sends
 * {@code description: null}), unknown properties tolerated. Responses are written as bytes with an
 * explicit content type, so no media-support magic decides what goes on the wire.
 */
public final class Json {

    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private Json() {
    }

    /**
     * Initialises Jackson (~0.1 s of CPU on a cold JVM, ~500 classes) by writing and reading one
     * document. The server runs this on its own thread once it listens: nothing on its start path
     * uses Jackson, so the start does not pay for it, and requests after the first few milliseconds
     * find it ready.
     */
    public static void warmUp() {
        ObjectNode document = object().put("status", "ok").put("count", 1).put("at", java.time.Instant.EPOCH.toString());
        document.putArray("items").addObject().put("id", "x").putNull("value");
        parse(string(document));
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String string(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void send(ServerResponse res, Object body) {
        send(res, 200, body);
    }

    public static void send(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        res.send(bytes(body));
    }
}
