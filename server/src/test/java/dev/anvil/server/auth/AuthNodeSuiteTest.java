package dev.anvil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.Mailbox;
import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Runs server/src/test/node/auth.test.mjs — the official {@code @insforge/sdk} 1.5.2 — against two real
 * servers (one with 2-second access tokens and no clock skew, to watch the SDK refresh on expiry) and a
 * real SMTP server whose mail the suite reads.
 */
class AuthNodeSuiteTest {

    @Test
    void officialSdkSignsUpSignsInRefreshesAndSignsOut() {
        try (Mailbox mailbox = Mailbox.start()) {
            Map<String, String> settings = new HashMap<>(AuthCalls.NO_LIMITS);
            settings.putAll(mailbox.serverSettings());
            settings.put("ANVIL_REFRESH_REUSE_GRACE_SECONDS", "0");
            Map<String, String> shortLived = new HashMap<>(settings);
            shortLived.put("ANVIL_ACCESS_TOKEN_TTL_SECONDS", "2");
            shortLived.put("ANVIL_JWT_CLOCK_SKEW_SECONDS", "0");
            try (TestServer server = TestServer.start("node_auth", settings);
                 TestServer shortServer = TestServer.start("node_auth_short", shortLived)) {
                HttpCall.Reply smtp = server.call("PUT", "/api/auth/smtp-config").bearer(server.apiKey())
                        .json(mailbox.smtpConfigBody()).send();
                assertThat(smtp.status()).as(smtp.toString()).isEqualTo(200);

                Map<String, String> environment = new HashMap<>(NodeSuite.environmentFor(server));
                environment.put("ANVIL_SHORT_URL", shortServer.baseUrl());
                environment.put("ANVIL_SHORT_ANON_KEY", shortServer.anonKey());
                environment.put("ANVIL_MAILBOX_URL", mailbox.serveHttp());
                String output = NodeSuite.run("auth.test.mjs", environment);
                System.out.println(output);
                assertThat(output).contains("ℹ fail 0").containsPattern("ℹ pass [1-9]");
            }
        }
    }
}
