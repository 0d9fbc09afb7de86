package dev.anvil.server.auth.oauth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.anvil.server.http.Json;

/**
 * A stand-in for GitHub's OAuth endpoints on loopback, speaking GitHub's shapes: the authorize page
 * (signs in at once as the account set with {@link #nextSignIn}), {@code POST /login/oauth/access_token}
 * (JSON when asked; 200 with {@code error} for a bad code, as GitHub does), and the API's
 * {@code GET /api/user} and {@code GET /api/user/emails}. A test double of an external API, not of our code.
 */
final class GitHubDouble implements AutoCloseable {

    /** A GitHub account: numeric id, login, name, and its addresses ({@code primary}, {@code verified}). */
    record Account(long id, String login, String name, String publicEmail, List<Email> emails) {
    }

    record Email(String email, boolean primary, boolean verified) {
    }

    static final String CLIENT_ID = "github-client-id";
    static final String CLIENT_SECRET = "github-client-secret";

    private final HttpServer server;
    private final Map<String, Account> codes = new ConcurrentHashMap<>();
    private final Map<String, Account> tokens = new ConcurrentHashMap<>();
    private volatile Account next;

    private GitHubDouble(HttpServer server) {
        this.server = server;
    }

    static GitHubDouble start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            GitHubDouble github = new GitHubDouble(server);
            server.createContext("/login/oauth/authorize", github::authorize);
            server.createContext("/login/oauth/access_token", github::accessToken);
            server.createContext("/api/user", github::api);
            server.start();
            return github;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String webUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String apiUrl() {
        return webUrl() + "/api";
    }

    void nextSignIn(Account account) {
        next = account;
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = params(exchange.getRequestURI().getRawQuery());
        if (!CLIENT_ID.equals(query.get("client_id")) || next == null) {
            send(exchange, 404, Json.object().put("error", "unknown client or no account"));
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, next);
        String location = query.get("redirect_uri") + "?code=" + code + "&state=" + encode(query.get("state"));
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void accessToken(HttpExchange exchange) throws IOException {
        Map<String, String> form = params(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Account account = codes.remove(String.valueOf(form.get("code")));
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            send(exchange, 200, Json.object().put("error", "incorrect_client_credentials")
                    .put("error_description", "The client_id and/or client_secret passed are incorrect."));
        } else if (account == null) {
            send(exchange, 200, Json.object().put("error", "bad_verification_code")
                    .put("error_description", "The code passed is incorrect or expired."));
        } else {
            String token = "gho_" + UUID.randomUUID().toString().replace("-", "");
            tokens.put(token, account);
            send(exchange, 200, Json.object().put("access_token", token).put("token_type", "bearer").put("scope", "user:email"));
        }
    }

    private void api(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        Account account = auth == null ? null : tokens.get(auth.replaceFirst("^Bearer ", ""));
        if (account == null) {
            send(exchange, 401, Json.object().put("message", "Bad credentials"));
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/api/user")) {
            ObjectNode user = Json.object().put("id", account.id()).put("login", account.login()).put("name", account.name())
                    .put("email", account.publicEmail()).put("avatar_url", "https://avatars.example/u/" + account.id());
            send(exchange, 200, user);
        } else if (path.equals("/api/user/emails")) {
            ArrayNode emails = Json.mapper().createArrayNode();
            account.emails().forEach(e -> emails.addObject().put("email", e.email()).put("primary", e.primary())
                    .put("verified", e.verified()).putNull("visibility"));
            send(exchange, 200, emails);
        } else {
            send(exchange, 404, Json.object().put("message", "Not Found"));
        }
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.bytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static Map<String, String> params(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
