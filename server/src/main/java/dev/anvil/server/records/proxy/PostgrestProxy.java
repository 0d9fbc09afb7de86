package dev.anvil.server.records.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Principal;
import dev.anvil.server.records.EngineResponse;
import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.Payload;
import dev.anvil.server.records.parse.QueryString;
import dev.anvil.server.records.schema.Column;
import dev.anvil.server.records.schema.QualifiedName;
import dev.anvil.server.records.schema.SchemaCache;
import dev.anvil.server.records.schema.Table;

/**
 * Proxy mode (contract §3.2 steps 1–7): records and RPC requests go to an external PostgREST
 * ({@code POSTGREST_BASE_URL}) — how Kubernetes projects with the {@code postgrest} engine run. The
 * client's credential never leaves: {@code Authorization} is replaced by a short-lived internal
 * token for the caller's role ({@link RoleExchange}); the other headers, the query and the body
 * (minus InsForge's empty-string keys) are forwarded and the response copied back. Only
 * connection-refused failures of idempotent requests are retried.
 */
public final class PostgrestProxy {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int ATTEMPTS = 3;
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");
    /** Request headers never forwarded: the credential, and what the HTTP client owns. */
    private static final Set<String> DROPPED_REQUEST = Set.of("authorization", "x-api-key", "host", "content-length",
            "connection", "expect", "upgrade", "transfer-encoding", "keep-alive", "te", "trailer", "http2-settings",
            "accept-profile", "content-profile");
    /** Response headers never copied back. */
    private static final Set<String> DROPPED_RESPONSE = Set.of("content-length", "transfer-encoding", "connection",
            "content-encoding", "keep-alive");

    private final String baseUrl;
    private final RoleExchange roles;
    private final HttpClient client;

    public PostgrestProxy(String baseUrl, RoleExchange roles) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.roles = roles;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * One request to forward.
     *
     * @param profile  InsForge's {@code ?schema=} (already removed from {@code rawQuery}), or null
     * @param headers  the client's headers, name and value
     */
    public record Forward(String method, boolean rpc, String name, String rawQuery, String profile,
                          List<Map.Entry<String, String>> headers, byte[] body, Principal principal) {
    }

    public EngineResponse forward(Forward request, SchemaCache cache) {
        String method = request.method().toUpperCase(Locale.ROOT);
        boolean read = method.equals("GET") || method.equals("HEAD");
        String url = baseUrl + "/" + (request.rpc() ? "rpc/" : "") + QueryString.encode(request.name())
                + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery());
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
        String profile = request.profile();
        for (Map.Entry<String, String> header : request.headers()) {
            String lower = header.getKey().toLowerCase(Locale.ROOT);
            if (lower.equals("accept-profile") || lower.equals("content-profile")) {
                if (profile == null && lower.equals(read ? "accept-profile" : "content-profile")) {
                    profile = header.getValue();
                }
                continue;
            }
            if (!DROPPED_REQUEST.contains(lower)) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        if (profile != null) {
            builder.header(read ? "Accept-Profile" : "Content-Profile", profile);
        }
        builder.header("Authorization", "Bearer " + roles.tokenFor(request.principal()));
        byte[] body = request.rpc() || read ? request.body() : withoutEmptyStrings(request, profile, cache);
        builder.method(method, body.length == 0 && read
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> response = send(builder.build(), IDEMPOTENT.contains(method));
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!DROPPED_RESPONSE.contains(lower) && !lower.startsWith("access-control-") && !lower.startsWith(":")) {
                headers.put(name, String.join(", ", values));
            }
        });
        return new EngineResponse(response.statusCode(), headers, response.body());
    }

    /** Contract §3.2 step 3 on the forwarded body; a body that is not JSON goes as it came. */
    private static byte[] withoutEmptyStrings(Forward request, String profile, SchemaCache cache) {
        byte[] body = request.body();
        String method = request.method().toUpperCase(Locale.ROOT);
        if (body.length == 0 || !(method.equals("POST") || method.equals("PATCH") || method.equals("PUT"))) {
            return body;
        }
        Table table = cache.table(new QualifiedName(profile == null ? cache.defaultSchema() : profile, request.name()))
                .orElse(null);
        if (table == null) {
            return body;
        }
        try {
            Payload payload = Payload.parse(body, null);
            Payload stripped = payload.withoutEmptyStrings(name ->
                    table.column(name).map(c -> c.kind() == Column.TypeKind.TEXT).orElse(true));
            return stripped == payload ? body : stripped.json().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (PgrstError notJson) {
            return body;
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request, boolean idempotent) {
        int attempts = idempotent ? ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException e) {
                if (attempt >= attempts) {
                    throw upstream("PostgREST at " + baseUrl + " refused the connection");
                }
                sleep(100L * attempt);
            } catch (IOException e) {
                throw upstream("PostgREST at " + baseUrl + " did not answer: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw upstream("Interrupted while waiting for PostgREST");
            }
        }
    }

    private static ApiException upstream(String message) {
        return new ApiException(502, "UPSTREAM_FAILURE", message, "Check that PostgREST is running at POSTGREST_BASE_URL.");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
