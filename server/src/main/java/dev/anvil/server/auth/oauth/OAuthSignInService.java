package dev.anvil.server.auth.oauth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.anvil.server.auth.SessionIssuer;
import dev.anvil.server.auth.User;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RequestBody;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The public OAuth routes under {@code /api/auth/oauth} (contract §2.5): start a sign-in
 * ({@code GET /{provider}}, {@code GET /custom/{key}}), the provider's callback
 * ({@code GET|POST /{provider}/callback}, {@code …/custom/{key}/callback}) and the PKCE code
 * exchange ({@code POST /exchange}), which answers like a password sign-in.
 */
final class OAuthSignInService implements HttpService {

    static final Pattern CUSTOM_KEY = Pattern.compile("^[a-z0-9_-]{1,64}$");
    /** Query parameters of the start request that are ours, not extra parameters for the provider. */
    private static final Set<String> START_PARAMS = Set.of("redirect_uri", "code_challenge");

    private final OAuthFlow flow;
    private final SessionIssuer sessions;

    OAuthSignInService(OAuthFlow flow, SessionIssuer sessions) {
        this.flow = flow;
        this.sessions = sessions;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/exchange", this::exchange)
                .get("/custom/{key}/callback", this::customCallback)
                .post("/custom/{key}/callback", this::customCallback)
                .get("/custom/{key}", (req, res) -> start(req, res, Providers.CUSTOM_PREFIX + customKey(req)))
                .get("/{provider}/callback", this::builtInCallback)
                .post("/{provider}/callback", this::builtInCallback)
                .get("/{provider}", (req, res) -> start(req, res, builtIn(req).wireName()));
    }

    private void customCallback(ServerRequest req, ServerResponse res) {
        callback(req, res, Providers.CUSTOM_PREFIX + customKey(req));
    }

    private void builtInCallback(ServerRequest req, ServerResponse res) {
        callback(req, res, builtIn(req).wireName());
    }

    private void start(ServerRequest req, ServerResponse res, String provider) {
        PkceInput input = new PkceInput();
        String redirectUri = input.url("redirect_uri", req.query().first("redirect_uri").orElse(null), "Redirect URI is required");
        String challenge = input.pkce("code_challenge", req.query().first("code_challenge").orElse(null), "Code challenge");
        input.check();
        Map<String, String> extra = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            if (!START_PARAMS.contains(name)) {
                req.query().first(name).ifPresent(value -> extra.put(name, value));
            }
        }
        var reply = Json.object();
        reply.put("authUrl", flow.start(provider, redirectUri, challenge, extra));
        Json.send(res, reply);
    }

    /**
     * Providers redirect with the code in the query; Apple-style {@code form_post} sends a form. Each
     * method reads only its own place, so a query cannot smuggle values into a POST.
     */
    private void callback(ServerRequest req, ServerResponse res, String provider) {
        Map<String, String> params = req.prologue().method() == Method.POST ? form(req) : query(req);
        String location = flow.callback(provider, new OAuthFlow.Callback(params.get("state"), params.get("code"),
                params.get("error"), params.get("error_description")));
        res.status(Status.FOUND_302);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    private void exchange(ServerRequest req, ServerResponse res) {
        JsonFields body = RequestBody.object(req);
        PkceInput input = new PkceInput();
        String code = input.nonEmpty("code", body.string("code").orElse(null), "Exchange code is required");
        String verifier = input.pkce("code_verifier", body.string("code_verifier").orElse(null), "Code verifier");
        input.check();
        User user = flow.exchange(code, verifier);
        Json.send(res, sessions.signIn(req, res, user));
    }

    private static BuiltInProvider builtIn(ServerRequest req) {
        String name = req.path().pathParameters().get("provider");
        return BuiltInProvider.find(name).orElseThrow(() -> ApiException.invalidInput(
                "Unsupported OAuth provider: " + name + ". Supported providers: " + BuiltInProvider.names()));
    }

    private static String customKey(ServerRequest req) {
        String key = req.path().pathParameters().get("key");
        if (!CUSTOM_KEY.matcher(key).matches()) {
            throw ApiException.invalidInput("Invalid custom OAuth key");
        }
        return key;
    }

    private static Map<String, String> query(ServerRequest req) {
        Map<String, String> params = new HashMap<>();
        for (String name : req.query().names()) {
            req.query().first(name).ifPresent(value -> params.put(name, value));
        }
        return params;
    }

    /** An {@code application/x-www-form-urlencoded} body; the first value of each name. */
    private static Map<String, String> form(ServerRequest req) {
        Map<String, String> params = new HashMap<>();
        String body = new String(RequestBody.bytes(req), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidInput("Malformed form body");
            }
        }
        return params;
    }
}
