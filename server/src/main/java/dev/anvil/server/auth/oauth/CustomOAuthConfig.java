package dev.anvil.server.auth.oauth;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/** A row of {@code auth.custom_oauth_configs}: an OpenID Connect provider found by its discovery document. */
record CustomOAuthConfig(String id, String key, String name, String discoveryEndpoint, String clientId,
                         String secretId, Instant createdAt, Instant updatedAt) {

    /** InsForge's {@code customOAuthConfigSchema}; never the secret. */
    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("id", id);
        json.put("key", key);
        json.put("name", name);
        json.put("discoveryEndpoint", discoveryEndpoint);
        json.put("clientId", clientId);
        json.put("createdAt", OAuthConfigStore.iso(createdAt));
        json.put("updatedAt", OAuthConfigStore.iso(updatedAt));
        return json;
    }
}
