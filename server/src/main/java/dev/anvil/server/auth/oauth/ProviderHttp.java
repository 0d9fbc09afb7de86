package dev.anvil.server.auth.oauth;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.LazyHttpClient;

/**
 * Calls to OAuth providers: every call has a timeout (a hanging provider must not hold a request
 * thread forever), answers must be JSON, and every failure becomes a {@link ProviderException}
 * that names the provider and what went wrong — never the client secret that was sent.
 */
final class ProviderHttp {

    /** Provider answers are small; a larger one is a misconfigured endpoint, not a user profile. */
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final LazyHttpClient client;
    private final Duration timeout;

    ProviderHttp(Duration timeout) {
        this.timeout = timeout;
        this.client = new LazyHttpClient(() -> HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    /** POSTs a form ({@code application/x-www-form-urlencoded}) and reads the JSON answer. */
    JsonNode postForm(String provider, String what, String url, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return send(provider, what, request(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** GETs JSON, with a bearer token when one is given. */
    JsonNode getJson(String provider, String what, String url, String bearer) {
        HttpRequest.Builder request = request(url).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(provider, what, request);
    }

    private HttpRequest.Builder request(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ProviderException("Invalid provider URL: " + url);
        }
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", "Anvil");
    }

    private JsonNode send(String provider, String what, HttpRequest.Builder request) {
        HttpResponse<byte[]> response;
        try {
            response = client.get().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new ProviderException(provider + " " + what + " timed out after " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new ProviderException(provider + " " + what + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(provider + " " + what + " was interrupted");
        }
        byte[] bytes = response.body();
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ProviderException(provider + " " + what + " answered more than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode json = parse(bytes);
        if (response.statusCode() / 100 != 2) {
            throw new ProviderException(provider + " " + what + " failed (status " + response.statusCode() + ")"
                    + describeError(json));
        }
        if (json == null) {
            throw new ProviderException(provider + " " + what + " did not answer JSON");
        }
        return json;
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = Json.mapper().readTree(bytes);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    /** OAuth error bodies carry {@code error} and {@code error_description} (RFC 6749 §5.2). */
    static String describeError(JsonNode json) {
        if (json == null || !json.isObject()) {
            return "";
        }
        String description = json.path("error_description").asText("");
        String error = json.path("error").asText("");
        String text = !description.isEmpty() ? description : error;
        return text.isEmpty() ? "" : ": " + text;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
