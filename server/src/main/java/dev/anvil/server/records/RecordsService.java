package dev.anvil.server.records;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Principal;
import dev.anvil.server.records.proxy.PostgrestProxy;
import dev.anvil.server.records.proxy.RoleExchange;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * InsForge's records and RPC routes (contract §3.2, §3.3): {@code /api/database/records/{table}} and
 * {@code /api/database/rpc/{fn}}, any method, {@code verifyUser}. Answered by the built-in engine,
 * or — when {@code POSTGREST_BASE_URL} is set — proxied to PostgREST with InsForge's role exchange.
 * Either way the InsForge quirks hold: {@code ?schema=} becomes the profile header, {@code ""} values
 * for non-text columns are dropped, and an empty body becomes {@code []} ({@code null} for RPC).
 * Errors before the engine (credentials, the table name) have InsForge's shape; the engine's have
 * PostgREST's.
 */
public final class RecordsService {

    private final Credentials credentials;
    private final RecordsEngine engine;
    private final PostgrestProxy proxy;
    /** Where the PostgREST-wire routes are mounted ({@code ANVIL_POSTGREST_PATH}), if anywhere. */
    private final Optional<String> postgrestMount;

    private RecordsService(Credentials credentials, RecordsEngine engine, PostgrestProxy proxy, Optional<String> postgrestMount) {
        this.credentials = credentials;
        this.engine = engine;
        this.proxy = proxy;
        this.postgrestMount = postgrestMount;
    }

    /** The routes as configured: engine or proxy, and the PostgREST-wire mount when there is one. */
    public static RecordsService create(AnvilConfig config, Credentials credentials, RecordsEngine engine) {
        PostgrestProxy proxy = config.find(RecordsSettings.POSTGREST_BASE_URL)
                .map(url -> new PostgrestProxy(url, new RoleExchange(credentials.accessTokens(), Clock.systemUTC())))
                .orElse(null);
        Optional<String> mount = config.find(RecordsSettings.POSTGREST_PATH).map(path -> {
            String absolute = path.startsWith("/") ? path : "/" + path;
            if (absolute.length() < 2) {
                throw new AnvilConfig.ConfigException(RecordsSettings.POSTGREST_PATH, "must be a path below the root, such as /rest/v1");
            }
            return absolute.endsWith("/") ? absolute.substring(0, absolute.length() - 1) : absolute;
        });
        return new RecordsService(credentials, engine, proxy, mount);
    }

    /**
     * Mounts the records and RPC routes and, when {@code ANVIL_POSTGREST_PATH} is set, the
     * PostgREST-wire routes.
     */
    /**
     * The InsForge routes, {@code /api/database/records} and {@code /api/database/rpc}. Register them
     * early: Helidon tries routes in order, and these carry most of an app's traffic.
     */
    public void registerApiRoutes(HttpRouting.Builder routing) {
        routing.register("/api/database/records", records());
        routing.register("/api/database/rpc", rpc());
    }

    /** The PostgREST-wire mount, when configured. Register it last: its path is the operator's choice. */
    public void registerPostgrestMount(HttpRouting.Builder routing) {
        postgrestMount.ifPresent(mount -> routing.register(mount, new PostgrestWireService(credentials.accessTokens(), engine)));
    }

    /** Routes for {@code /api/database/records}. */
    public HttpService records() {
        return rules -> rules
                .any("/{table}", (req, res) -> handle(req, res, false, req.path().pathParameters().get("table")))
                .any("/{table}/*", (req, res) -> {
                    credentials.user(req);
                    HttpExchange.write(res, EngineResponse.error(PgrstError.invalidPath()));
                });
    }

    /** Routes for {@code /api/database/rpc}. */
    public HttpService rpc() {
        return (HttpRules rules) -> rules.any("/{fn}", (req, res) -> handle(req, res, true, req.path().pathParameters().get("fn")));
    }

    private void handle(ServerRequest req, ServerResponse res, boolean rpc, String name) {
        Principal principal = credentials.user(req);
        if (name.isEmpty() || name.chars().anyMatch(c -> c == '"' || Character.isISOControl(c))) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR",
                    "Invalid " + (rpc ? "function" : "table") + " name: " + name.replaceAll("\\p{Cntrl}", "?"));
        }
        if (req.prologue().method() == Method.OPTIONS) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Allow", rpc ? "OPTIONS,GET,HEAD,POST" : "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE");
            HttpExchange.write(res, new EngineResponse(200, headers, new byte[0]));
            return;
        }
        HttpExchange.SchemaSplit split = HttpExchange.splitSchema(req.query().rawValue());
        EngineResponse response = proxy != null
                ? proxy.forward(forward(req, principal, rpc, name, split), engine.schemaCache())
                : engine.handle(HttpExchange.raw(req, rpc, name, split.rawQuery(), split.schema()), caller(principal),
                        new RecordsEngine.Options(!rpc));
        HttpExchange.write(res, insforgeBody(response, rpc, req.prologue().method() == Method.HEAD));
    }

    private static PostgrestProxy.Forward forward(ServerRequest req, Principal principal, boolean rpc, String name,
                                                  HttpExchange.SchemaSplit split) {
        java.util.List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        for (io.helidon.http.Header header : req.headers()) {
            for (String value : header.allValues()) {
                headers.add(Map.entry(header.name(), value));
            }
        }
        byte[] body = req.prologue().method() == Method.GET || req.prologue().method() == Method.HEAD
                ? new byte[0] : dev.anvil.server.http.RequestBody.bytes(req);
        return new PostgrestProxy.Forward(req.prologue().method().text(), rpc, name, split.rawQuery(), split.schema(),
                headers, body, principal);
    }

    /** Contract §3.2 step 6: an empty body becomes {@code []} (RPC: {@code null}); a 204 stays empty. */
    static EngineResponse insforgeBody(EngineResponse response, boolean rpc, boolean head) {
        if (response.body().length > 0 || response.status() == 204 || head) {
            return response;
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("Content-Type", EngineResponse.JSON);
        return new EngineResponse(response.status(), headers, (rpc ? "null" : "[]").getBytes(StandardCharsets.UTF_8));
    }

    static RecordsEngine.Caller caller(Principal principal) {
        return new RecordsEngine.Caller(principal.dbRole(), principal.claimsJson(), !(principal instanceof Principal.Anon));
    }
}
