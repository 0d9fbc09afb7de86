package dev.anvil.operator.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the external API the operator calls — a project's admin API — implementing
 * just the contract routes it uses (§4.1 buckets, §5.1 functions, §2.6 auth configuration) with
 * their bodies and status codes, and recording every call. Function code containing
 * {@code SYNTAX ERROR} fails to deploy the way a compile error does.
 */
public final class AdminApiDouble implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final java.util.Set<String> apiKeys = ConcurrentHashMap.newKeySet();
    public final Map<String, Boolean> buckets = new ConcurrentHashMap<>();
    public final Map<String, ObjectNode> functions = new ConcurrentHashMap<>();
    public final Map<String, JsonNode> authSettings = new ConcurrentHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();

    public AdminApiDouble() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/api/", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Accepts this admin key from now on (each project has its own). */
    public void acceptApiKey(String key) {
        apiKeys.add(key);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        calls.add(method + " " + path);
        JsonNode body = readBody(exchange);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !apiKeys.contains(authorization.replaceFirst("^Bearer ", ""))) {
            error(exchange, 401, "AUTH_UNAUTHORIZED", "Invalid API key");
            return;
        }
        String[] parts = path.split("/");
        String last = URLDecoder.decode(parts[parts.length - 1], StandardCharsets.UTF_8);
        if (path.equals("/api/storage/buckets") && method.equals("GET")) {
            ArrayNode list = JSON.createArrayNode();
            buckets.forEach((name, isPublic) -> list.addObject().put("name", name).put("public", isPublic).put("createdAt", Instant.now().toString()));
            send(exchange, 200, list);
        } else if (path.equals("/api/storage/buckets") && method.equals("POST")) {
            String name = body.path("bucketName").asText();
            if (!name.matches("^[a-zA-Z0-9_-]+$")) {
                error(exchange, 400, "STORAGE_INVALID_PARAMETER", "Invalid bucket name");
            } else if (buckets.putIfAbsent(name, body.path("isPublic").asBoolean(true)) != null) {
                error(exchange, 409, "STORAGE_ALREADY_EXISTS", "Bucket already exists");
            } else {
                send(exchange, 201, JSON.createObjectNode().put("message", "Bucket created successfully")
                        .put("bucketName", name).put("isPublic", buckets.get(name)));
            }
        } else if (path.startsWith("/api/storage/buckets/") && parts.length == 5) {
            if (!buckets.containsKey(last)) {
                error(exchange, 404, "STORAGE_NOT_FOUND", "Bucket not found");
            } else if (method.equals("PATCH")) {
                buckets.put(last, body.path("isPublic").asBoolean());
                send(exchange, 200, JSON.createObjectNode().put("message", "Bucket visibility updated").put("bucket", last)
                        .put("isPublic", buckets.get(last)));
            } else if (method.equals("DELETE")) {
                buckets.remove(last);
                send(exchange, 200, JSON.createObjectNode().put("message", "Bucket deleted successfully"));
            } else {
                error(exchange, 405, "METHOD_NOT_ALLOWED", method);
            }
        } else if (path.equals("/api/functions") && method.equals("POST")) {
            String slug = body.path("slug").asText();
            if (functions.containsKey(slug)) {
                error(exchange, 409, "FUNCTION_ALREADY_EXISTS", "Function already exists");
            } else {
                ObjectNode fn = JSON.createObjectNode().put("id", UUID.randomUUID().toString()).put("slug", slug)
                        .put("createdAt", Instant.now().toString());
                send(exchange, 201, deploy(fn, body));
            }
        } else if (path.startsWith("/api/functions/") && parts.length == 4) {
            ObjectNode fn = functions.get(last);
            if (fn == null) {
                error(exchange, 404, "FUNCTION_NOT_FOUND", "Function not found");
            } else if (method.equals("GET")) {
                send(exchange, 200, fn);
            } else if (method.equals("PUT")) {
                send(exchange, 200, deploy(fn, body));
            } else if (method.equals("DELETE")) {
                functions.remove(last);
                send(exchange, 200, JSON.createObjectNode().put("success", true).put("message", "Function " + last + " deleted successfully"));
            } else {
                error(exchange, 405, "METHOD_NOT_ALLOWED", method);
            }
        } else if (path.startsWith("/api/auth/") && method.equals("PUT")) {
            if (path.startsWith("/api/auth/oauth/") && !authSettings.containsKey(path)) {
                error(exchange, 404, "NOT_FOUND", "OAuth provider not configured");
                return;
            }
            authSettings.put(path, body);
            send(exchange, 200, body);
        } else if (path.equals("/api/auth/oauth/configs") && method.equals("POST")) {
            authSettings.put("/api/auth/oauth/" + body.path("provider").asText() + "/config", body);
            send(exchange, 200, body);
        } else {
            error(exchange, 404, "NOT_FOUND", path);
        }
    }

    private ObjectNode deploy(ObjectNode fn, JsonNode body) {
        for (String field : List.of("name", "code", "description", "status")) {
            if (body.has(field)) {
                fn.set(field, body.get(field));
            }
        }
        boolean broken = fn.path("code").asText().contains("SYNTAX ERROR");
        if (broken && "active".equals(fn.path("status").asText())) {
            fn.put("status", "error");
        }
        fn.put("updatedAt", Instant.now().toString());
        fn.put("deployedAt", broken ? null : Instant.now().toString());
        functions.put(fn.path("slug").asText(), fn);
        ObjectNode reply = JSON.createObjectNode().put("success", true);
        reply.set("function", fn);
        ObjectNode deployment = reply.putObject("deployment").put("id", UUID.randomUUID().toString())
                .put("status", broken ? "failed" : "success");
        if (broken) {
            deployment.putArray("buildLogs").add("SyntaxError: Unexpected identifier 'ERROR' at line 1");
        }
        return reply;
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        send(exchange, status, JSON.createObjectNode().put("error", code).put("message", message).put("statusCode", status));
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public List<String> callsMatching(String prefix) {
        List<String> matching = new ArrayList<>();
        for (String call : calls) {
            if (call.startsWith(prefix)) {
                matching.add(call);
            }
        }
        return matching;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
