package dev.anvil.server.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * A provider that accepts the connection and never answers, or is not there at all, costs a sign-in
 * attempt at most the configured timeout and is reported as the provider's failure (502), not as a
 * hang or a 500.
 */
class ProviderTimeoutTest {

    @Test
    void aSilentOrAbsentProviderIsAnUpstreamFailure() throws IOException {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestServer server = TestServer.start("oauth_timeout", Map.of("ANVIL_OAUTH_HTTP_TIMEOUT_SECONDS", "1"))) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            int absentPort = closed.getLocalPort();
            closed.close();
            String challenge = OAuthFixture.Pkce.create().challenge();
            record Case(String key, String discovery, String message) {
            }
            for (Case c : List.of(
                    new Case("silent", "http://127.0.0.1:" + silent.getLocalPort() + "/.well-known/openid-configuration",
                            "silent discovery request timed out after 1 s"),
                    new Case("absent", "http://127.0.0.1:" + absentPort + "/.well-known/openid-configuration",
                            "absent discovery request failed"))) {
                HttpCall.Reply created = server.post("/api/auth/oauth/custom/configs").bearer(server.apiKey()).json(Map.of(
                        "key", c.key(), "name", c.key(), "discoveryEndpoint", c.discovery(), "clientId", "id",
                        "clientSecret", "secret")).send();
                assertThat(created.status()).as(created.toString()).isEqualTo(200);
                HttpCall.Reply reply = server.get("/api/auth/oauth/custom/" + c.key() + "?redirect_uri="
                        + OAuthFixture.encode(OAuthFixture.APP) + "&code_challenge=" + challenge).send();
                assertThat(reply.status()).as(reply.toString()).isEqualTo(502);
                assertThat(reply.json().path("error").asText()).isEqualTo("UPSTREAM_FAILURE");
                assertThat(reply.json().path("message").asText()).startsWith(c.message());
            }
            acceptor.interrupt();
        } finally {
            for (Socket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
