package dev.anvil.server.auth.oauth;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * A row of {@code auth.oauth_configs}: the app's registration at a built-in provider. The client
 * secret lives encrypted in {@code system.secrets}, pointed at by {@code secretId}.
 */
record OAuthConfig(String id, String provider, String clientId, String secretId, List<String> scopes,
                   String redirectUri, boolean useSharedKey, List<String> nativeClientIds, Instant createdAt,
                   Instant updatedAt) {

    /** InsForge's {@code OAuthConfigSchema} (plus {@code nativeClientIds}); never the secret. */
    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("id", id);
        json.put("provider", provider);
        json.put("clientId", clientId);
        json.set("scopes", scopes == null ? null : Json.mapper().valueToTree(scopes));
        json.put("redirectUri", redirectUri);
        json.put("useSharedKey", useSharedKey);
        json.set("nativeClientIds", Json.mapper().valueToTree(nativeClientIds));
        json.put("createdAt", OAuthConfigStore.iso(createdAt));
        json.put("updatedAt", OAuthConfigStore.iso(updatedAt));
        return json;
    }
}
