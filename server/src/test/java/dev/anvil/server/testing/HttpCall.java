package dev.anvil.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.anvil.server.http.Json;

/** A real HTTP request against a test server, built fluently: {@code server.get("/api/x").bearer(k).send()}. */
public final class HttpCall {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final String baseUrl;
    private final String method;
    private final String path;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] body;

    HttpCall(String baseUrl, String method, String path) {
        this.baseUrl = baseUrl;
        this.method = method;
        this.path = path;
    }

    /** A call to any server, for tests that start one of their own. */
    public static HttpCall to(String baseUrl, String method, String path) {
        return new HttpCall(baseUrl, method, path);
    }

    public HttpCall header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public HttpCall bearer(String credential) {
        return header("Authorization", "Bearer " + credential);
    }

    public HttpCall json(Object value) {
        header("Content-Type", "application/json");
        body = value instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : Json.bytes(value);
        return this;
    }

    public HttpCall body(String contentType, byte[] bytes) {
        header("Content-Type", contentType);
        body = bytes;
        return this;
    }

    public Reply send() {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A response: status, headers (lower-case names) and body. */
    public record Reply(int status, Map<String, List<String>> headers, byte[] bytes) {

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            if (bytes.length == 0) {
                return MissingNode.getInstance();
            }
            try {
                return Json.mapper().readTree(bytes);
            } catch (IOException e) {
                throw new AssertionError("Response is not JSON (status " + status + "): " + text(), e);
            }
        }

        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }
}
