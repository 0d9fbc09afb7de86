package dev.anvil.server.records;

import java.util.Map;

/** A records engine answer: status, headers (in order) and body bytes — written to HTTP as they are. */
public record EngineResponse(int status, Map<String, String> headers, byte[] body) {

    public static final String JSON = "application/json; charset=utf-8";

    public static EngineResponse error(PgrstError error) {
        java.util.LinkedHashMap<String, String> headers = new java.util.LinkedHashMap<>(error.headers());
        headers.put("Content-Type", JSON);
        return new EngineResponse(error.status(), headers, error.body());
    }
}
