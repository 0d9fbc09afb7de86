package dev.anvil.server.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DENO_RUNTIME_URL: the runtime host started on its own, as a Kubernetes runtime pod runs it, and
 * servers that reach it over HTTP with a token. The host starts empty and learns code and secrets
 * from the servers; two servers on one database share it.
 */
class RemoteRuntimeTest {

    static final String TOKEN = "a-runtime-token-the-pods-and-servers-share";
    static Process host;
    static TestServer server;
    static String runtimeUrl;

    @BeforeAll
    static void start() throws IOException {
        DenoInstallation installation = DenoInstallation.locate(java.util.Optional.empty()).found().orElseThrow();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(installation.binary().toString(), "run", "--no-prompt",
                "--no-remote", "--unstable-net", "--allow-net", "--allow-env=ANVIL_RUNTIME_TOKEN",
                "--config", installation.configFile().toString(), installation.hostScript().toString(),
                "--port=" + port, "--hostname=127.0.0.1", "--timeout-ms=3000", "--exit-with-stdin"))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("ANVIL_RUNTIME_TOKEN", TOKEN);
        host = builder.start();
        BufferedReader output = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = output.readLine()) != null && !line.contains("\"listening\"")) {
            // wait for the host to listen
        }
        Thread.ofVirtual().start(() -> output.lines().forEach(l -> { }));
        runtimeUrl = "http://127.0.0.1:" + port;
        server = TestServer.start("remote_runtime", Map.of("DENO_RUNTIME_URL", runtimeUrl, "ANVIL_DENO_RUNTIME_TOKEN", TOKEN));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
        host.destroy();
        host.waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    void functionsRunOnARemoteRuntimeThatLearnsCodeAndSecretsFromTheServers() {
        HttpCall.Reply created = server.post("/api/functions").header("x-api-key", server.apiKey()).json(Map.of("name", "remote",
                "code", "module.exports = async (req) => Response.json({ got: await req.text(), q: new URL(req.url).search, "
                        + "secret: Deno.env.get('REMOTE_SECRET') ?? null })")).send();
        assertThat(created.json().path("deployment").path("status").asText()).as(created.text()).isEqualTo("success");
        assertThat(server.get("/api/functions").header("x-api-key", server.apiKey()).send().json()
                .path("runtime").path("status").asText()).isEqualTo("running");

        HttpCall.Reply invoked = server.post("/functions/remote?x=1").json("{\"a\":1}").send();
        assertThat(invoked.status()).as(invoked.text()).isEqualTo(200);
        assertThat(invoked.json().path("got").asText()).isEqualTo("{\"a\":1}");
        assertThat(invoked.json().path("q").asText()).isEqualTo("?x=1");
        assertThat(invoked.json().path("secret").isNull()).isTrue();

        server.post("/api/secrets").header("x-api-key", server.apiKey()).json(Map.of("key", "REMOTE_SECRET", "value", "s3")).send();
        assertThat(server.post("/functions/remote").send().json().path("secret").asText()).isEqualTo("s3");

        // A second server (another replica) that never deployed the function: the runtime already has it.
        try (TestServer replica = server.replica(Map.of("DENO_RUNTIME_URL", runtimeUrl, "ANVIL_DENO_RUNTIME_TOKEN", TOKEN))) {
            assertThat(replica.post("/functions/remote").send().json().path("secret").asText()).isEqualTo("s3");
        }
    }

    @Test
    void theRuntimeRefusesCallersWithoutItsToken() throws Exception {
        // HTTP/1.1 as the servers speak it (the JDK client's default h2c upgrade offer is refused by Deno.serve).
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> control = client.send(HttpRequest.newBuilder(URI.create(runtimeUrl + "/_anvil/secrets"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"version\":\"x\",\"values\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(control.statusCode()).as(control.body()).isEqualTo(401);
            HttpResponse<String> invoke = client.send(HttpRequest.newBuilder(URI.create(runtimeUrl + "/remote"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(invoke.statusCode()).isEqualTo(401);
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(runtimeUrl + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"status\":\"ok\"");
        }
    }
}
