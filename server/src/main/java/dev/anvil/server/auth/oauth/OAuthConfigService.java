package dev.anvil.server.auth.oauth;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Admin OAuth configuration under {@code /api/auth/oauth} (contract §2.6): built-in providers
 * ({@code /configs}, {@code /{provider}/config}) and custom OpenID Connect providers
 * ({@code /custom/configs}, {@code /custom/{key}/config}). Reading one config returns its client
 * secret, as InsForge does; lists never do.
 */
final class OAuthConfigService implements HttpService {

    /** Keys a custom provider cannot take: route names, and the built-in providers (their links would mix). */
    private static final Set<String> RESERVED_KEYS = Set.of("configs", "callback");

    private final Credentials credentials;
    private final OAuthConfigStore configs;

    OAuthConfigService(Credentials credentials, OAuthConfigStore configs) {
        this.credentials = credentials;
        this.configs = configs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/configs", this::list)
                .post("/configs", this::create)
                .get("/custom/configs", this::listCustom)
                .post("/custom/configs", this::createCustom)
                .get("/custom/{key}/config", this::getCustom)
                .put("/custom/{key}/config", this::updateCustom)
                .delete("/custom/{key}/config", this::deleteCustom)
                .get("/{provider}/config", this::get)
                .put("/{provider}/config", this::update)
                .delete("/{provider}/config", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        Json.send(res, page(configs.list().stream().map(OAuthConfig::toJson).toList()));
    }

    private void create(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        JsonFields body = RequestBody.object(req);
        String name = body.requiredString("provider");
        BuiltInProvider provider = BuiltInProvider.find(name).orElseThrow(() -> ApiException.invalidInput(
                "provider: Invalid enum value. Expected " + BuiltInProvider.quotedNames() + ", received '" + name + "'"));
        ObjectNode created = configs.create(provider, body).toJson();
        audit(req, "CREATE_OAUTH_CONFIG", provider.wireName());
        Json.send(res, created);
    }

    private void get(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String provider = provider(req);
        OAuthConfig config = configs.find(provider).orElseThrow(() -> notFound(provider));
        ObjectNode reply = config.toJson();
        configs.secret(config).ifPresent(secret -> reply.put("clientSecret", secret));
        Json.send(res, reply);
    }

    private void update(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String provider = provider(req);
        JsonFields body = RequestBody.object(req);
        ObjectNode updated = configs.update(provider, body)
                .orElseThrow(() -> new ApiException(404, "AUTH_OAUTH_CONFIG_NOT_FOUND", "OAuth configuration not found"))
                .toJson();
        audit(req, "UPDATE_OAUTH_CONFIG", provider);
        Json.send(res, updated);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String provider = provider(req);
        if (!configs.delete(provider)) {
            throw notFound(provider);
        }
        audit(req, "DELETE_OAUTH_CONFIG", provider);
        Json.send(res, deleted("OAuth configuration for " + provider + " deleted successfully"));
    }

    private void listCustom(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        Json.send(res, page(configs.listCustom().stream().map(CustomOAuthConfig::toJson).toList()));
    }

    private void createCustom(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        JsonFields body = RequestBody.object(req);
        String key = body.requiredString("key");
        if (key.isEmpty() || key.length() > 64 || !OAuthSignInService.CUSTOM_KEY.matcher(key).matches()) {
            throw ApiException.invalidInput(key.length() > 64 ? "key: String must contain at most 64 character(s)"
                    : "key: Key must contain only lowercase letters, numbers, hyphens, and underscores");
        }
        if (RESERVED_KEYS.contains(key) || BuiltInProvider.find(key).isPresent()) {
            throw ApiException.invalidInput("key: '" + key + "' is reserved; choose another key");
        }
        String name = nonEmpty(body, "name", true);
        String discovery = discoveryEndpoint(body, true);
        String clientId = nonEmpty(body, "clientId", true);
        String clientSecret = body.string("clientSecret").orElse("");
        if (clientSecret.isEmpty()) {
            throw ApiException.invalidInput("clientSecret: Client secret is required");
        }
        ObjectNode created = configs.createCustom(key, name, discovery, clientId, clientSecret).toJson();
        audit(req, "CREATE_OAUTH_CONFIG", "custom:" + key);
        Json.send(res, created);
    }

    private void getCustom(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String key = customKey(req);
        CustomOAuthConfig config = configs.findCustom(key).orElseThrow(() -> customNotFound(key));
        ObjectNode reply = config.toJson();
        configs.secret(config).ifPresent(secret -> reply.put("clientSecret", secret));
        Json.send(res, reply);
    }

    private void updateCustom(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String key = customKey(req);
        JsonFields body = RequestBody.object(req);
        String name = nonEmpty(body, "name", false);
        String discovery = discoveryEndpoint(body, false);
        String clientId = nonEmpty(body, "clientId", false);
        String clientSecret = nonEmpty(body, "clientSecret", false);
        ObjectNode updated = configs.updateCustom(key, name, discovery, clientId, clientSecret)
                .orElseThrow(() -> customNotFound(key)).toJson();
        audit(req, "UPDATE_OAUTH_CONFIG", "custom:" + key);
        Json.send(res, updated);
    }

    private void deleteCustom(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String key = customKey(req);
        if (!configs.deleteCustom(key)) {
            throw customNotFound(key);
        }
        audit(req, "DELETE_OAUTH_CONFIG", "custom:" + key);
        Json.send(res, deleted("Custom OAuth configuration for " + key + " deleted successfully"));
    }

    /** Client secrets never go into the audit trail, only which provider changed. */
    private static void audit(ServerRequest req, String action, String provider) {
        AuditLog.record(req, action, "AUTH", Json.object().put("provider", provider));
    }

    private static String provider(ServerRequest req) {
        String provider = req.path().pathParameters().get("provider");
        if (provider.isEmpty() || provider.length() > 50) {
            throw ApiException.invalidInput("Invalid provider name");
        }
        return provider;
    }

    private static String customKey(ServerRequest req) {
        String key = req.path().pathParameters().get("key");
        if (!OAuthSignInService.CUSTOM_KEY.matcher(key).matches()) {
            throw ApiException.invalidInput("Invalid custom OAuth key");
        }
        return key;
    }

    /** A string of at least one character; null when absent and not required. */
    private static String nonEmpty(JsonFields body, String field, boolean required) {
        String value = required ? body.requiredString(field) : body.string(field).orElse(null);
        if (value != null && value.isEmpty()) {
            throw ApiException.invalidInput(field + ": String must contain at least 1 character(s)");
        }
        return value;
    }

    private static String discoveryEndpoint(JsonFields body, boolean required) {
        String url = required ? body.requiredString("discoveryEndpoint") : body.string("discoveryEndpoint").orElse(null);
        if (url != null && !(PkceInput.isAbsoluteUrl(url) && (url.startsWith("https://") || url.startsWith("http://")))) {
            throw ApiException.invalidInput("discoveryEndpoint: Invalid url");
        }
        return url;
    }

    private static ObjectNode page(List<ObjectNode> items) {
        ObjectNode reply = Json.object();
        ArrayNode data = reply.putArray("data");
        items.forEach(data::add);
        reply.put("count", items.size());
        return reply;
    }

    private static ObjectNode deleted(String message) {
        ObjectNode reply = Json.object();
        reply.put("success", true);
        reply.put("message", message);
        return reply;
    }

    private static ApiException notFound(String provider) {
        return new ApiException(404, "AUTH_OAUTH_CONFIG_NOT_FOUND", "OAuth configuration for " + provider + " not found");
    }

    private static ApiException customNotFound(String key) {
        return ApiException.notFound("NOT_FOUND", "Custom OAuth configuration for " + key + " not found");
    }
}
