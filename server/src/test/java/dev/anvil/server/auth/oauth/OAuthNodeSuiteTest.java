package dev.anvil.server.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import dev.anvil.server.testing.NodeSuite;
import org.junit.jupiter.api.Test;

/**
 * Runs server/src/test/node/oauth.test.mjs — the official {@code @insforge/sdk} 1.5.2 — against a server
 * whose Google and custom providers are a real OpenID Connect server on loopback.
 */
class OAuthNodeSuiteTest {

    @Test
    void officialSdkSignsInWithOAuthAndExchangesTheCode() {
        try (OAuthFixture oauth = OAuthFixture.start("node_oauth", Map.of())) {
            Map<String, String> environment = new HashMap<>(NodeSuite.environmentFor(oauth.server));
            environment.put("ANVIL_OAUTH_CUSTOM_KEY", OAuthFixture.CUSTOM_KEY);
            String output = NodeSuite.run("oauth.test.mjs", environment);
            System.out.println(output);
            assertThat(output).contains("ℹ fail 0").containsPattern("ℹ pass [1-9]");
        }
    }
}
