package dev.anvil.server.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The runtime's direct listener (ANVIL_FUNCTIONS_PORT) when its host is replaced: the successor
 * shares the port, is given every active function, and is the one left serving once the old host
 * ends. (The Node suite covers what it serves: SDK calls, redeploys, drafts, a crash restart.)
 */
class FunctionDirectListenerTest {

    private static final String SPIN = "module.exports = async (req) => { if (req.method === 'POST') { for (;;) {} }"
            + " return new Response('alive'); }";

    /** A server on a fixed direct port with `steady` and `spin` deployed, once its direct listener serves. */
    private static TestServer started(String purpose, int timeoutMs, URI direct) {
        TestServer server = TestServer.start(purpose, Map.of(
                "WORKER_TIMEOUT_MS", Integer.toString(timeoutMs), "ANVIL_FUNCTIONS_PORT", Integer.toString(direct.getPort())));
        deploy(server, "steady", "module.exports = async () => new Response('steady')");
        deploy(server, "spin", SPIN);
        await("the direct listener", () -> get(direct.resolve("/steady")).equals("200 steady"));
        return server;
    }

    @Test
    void aRecycledRuntimeKeepsServingDirectlyAtTheSameUrl() throws IOException {
        URI direct = URI.create("http://127.0.0.1:" + freePort());
        // The old host drains for the timeout + 5 s: time enough to see both hosts on the port.
        try (TestServer server = started("functions_direct_recycle", 3000, direct)) {
            assertThat(server.get("/api/functions").header("x-api-key", server.apiKey()).send().json()
                    .path("deploymentUrl").asText()).isEqualTo(direct.toString());
            long oldPid = server.anvil().functions().runtime().localPid().orElseThrow();

            // A busy loop in the function's own worker (the proxy path) makes the host ask to be replaced.
            CompletableFuture<HttpCall.Reply> spinning = CompletableFuture.supplyAsync(() -> server.post("/functions/spin").send());
            assertThat(spinning.join().status()).isEqualTo(504);
            await("a successor host", () -> server.anvil().functions().runtime().localPid().orElse(oldPid) != oldPid);

            // Deployed to the successor only. It joins the port at once, while the old host still serves
            // (connections are spread over both), and once the old host has ended it serves every connection.
            deploy(server, "after-recycle", "module.exports = async () => new Response('new host')");
            boolean sharedWhileOldServes = false;
            while (!sharedWhileOldServes && ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)) {
                sharedWhileOldServes = get(direct.resolve("/after-recycle")).equals("200 new host");
            }
            assertThat(sharedWhileOldServes).as("the successor served on the port before the old host ended").isTrue();
            await("the old host to end", () -> ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false) == false);
            for (int i = 0; i < 10; i++) {
                assertThat(get(direct.resolve("/after-recycle"))).isEqualTo("200 new host");
                assertThat(get(direct.resolve("/steady"))).isEqualTo("200 steady");
            }
        }
    }

    @Test
    void aBusyLoopInTheDirectListenerGetsItsHostReplacedAndTheOthersServedAgain() throws IOException {
        URI direct = URI.create("http://127.0.0.1:" + freePort());
        try (TestServer server = started("functions_direct_stuck", 1000, direct)) {
            long oldPid = server.anvil().functions().runtime().localPid().orElseThrow();

            // Nobody stands between the caller and a stuck subhosting worker: the call ends with its host.
            CompletableFuture.runAsync(() -> send(HttpRequest.newBuilder(direct.resolve("/spin"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build()));
            await("a successor host", () -> server.anvil().functions().runtime().localPid().orElse(oldPid) != oldPid);
            await("the old host to end", () -> ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false) == false);
            for (int i = 0; i < 10; i++) {
                assertThat(get(direct.resolve("/steady"))).isEqualTo("200 steady");
            }
        }
    }

    private static void deploy(TestServer server, String slug, String code) {
        HttpCall.Reply reply = server.post("/api/functions").header("x-api-key", server.apiKey())
                .json(Map.of("name", slug, "code", code)).send();
        assertThat(reply.json().path("deployment").path("status").asText()).as(reply.text()).isEqualTo("success");
    }

    /** "status body", each call on a new connection (the kernel picks a listener per connection); "failed" if none. */
    private static String get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build());
    }

    private static String send(HttpRequest request) {
        // HTTP/1.1: Deno's server answers 400 to a POST offering the h2c upgrade, which the JDK client does by default.
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A free loopback port (for a fixed direct port, which stays the same across runtime restarts). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
