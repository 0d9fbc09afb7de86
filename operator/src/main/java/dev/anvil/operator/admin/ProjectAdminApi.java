package dev.anvil.operator.admin;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * A project's admin API (contract §4.1 buckets, §5.1 functions, §2.6 auth configuration), called
 * with the project's admin API key — the same path a person or the MCP server would take, so the
 * API and the cluster's resources describe one truth.
 */
public final class ProjectAdminApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http;
    private final URI base;
    private final String apiKey;

    public ProjectAdminApi(HttpClient http, URI base, String apiKey) {
        this.http = http;
        this.base = base;
        this.apiKey = apiKey;
    }

    public record Reply(int status, JsonNode body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The InsForge error message ({@code message}, else {@code error}) or the raw body. */
        public String errorMessage() {
            if (body.hasNonNull("message")) {
                return body.get("message").asText();
            }
            if (body.hasNonNull("error")) {
                return body.get("error").asText();
            }
            return body.toString();
        }
    }

    public Reply get(String path) throws AdminApiException {
        return send("GET", path, null);
    }

    public Reply send(String method, String path, Object body) throws AdminApiException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json");
        try {
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? NullNode.getInstance() : parse(response.body());
            return new Reply(response.statusCode(), json);
        } catch (IOException e) {
            throw new AdminApiException("project API unreachable at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminApiException("interrupted calling " + base, e);
        }
    }

    /** Fails with the API's own error message unless the reply is a success. */
    public Reply expectOk(Reply reply, String what) throws AdminApiException {
        if (!reply.ok()) {
            throw new AdminApiException(reply.status(), what + " failed (" + reply.status() + "): " + reply.errorMessage());
        }
        return reply;
    }

    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }
}
