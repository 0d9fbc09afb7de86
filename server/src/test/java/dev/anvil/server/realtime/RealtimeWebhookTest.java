package dev.anvil.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channel webhooks against a real HTTP receiver on loopback: the payload and headers, delivery
 * counts written back, one delivery however many replicas hear the message, and the SSRF guard
 * that refuses loopback, link-local and private targets unless the setting allows them.
 */
class RealtimeWebhookTest {

    record Received(String path, String body, String event, String channel, String messageId) {
    }

    private static final BlockingQueue<Received> RECEIVED = new LinkedBlockingQueue<>();
    private static HttpServer receiver;

    @BeforeAll
    static void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var headers = exchange.getRequestHeaders();
            RECEIVED.add(new Received(exchange.getRequestURI().getPath(), body, headers.getFirst("X-InsForge-Event"),
                    headers.getFirst("X-InsForge-Channel"), headers.getFirst("X-InsForge-Message-Id")));
            int status = exchange.getRequestURI().getPath().startsWith("/fail") ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    private static String receiverUrl(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode storedMessage(TestServer server, String id) {
        return Json.parse(TestHooks.runSql(server.database(), "SELECT wh_audience_count, wh_delivered_count, webhook_claimed_at IS NOT NULL AS claimed"
                + " FROM realtime.messages WHERE id = '" + id + "'")).get(0);
    }

    private static JsonNode awaitCounts(TestServer server, String id, int audience) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode row = storedMessage(server, id);
        while (System.nanoTime() < deadline && row.get("wh_audience_count").asInt() != audience) {
            Thread.sleep(50);
            row = storedMessage(server, id);
        }
        return row;
    }

    private static String publish(TestServer server, String channel, String event, String payload) {
        return Json.parse(TestHooks.runSql(server.database(), "SELECT realtime.publish('" + channel + "', '" + event + "', '"
                + payload + "'::jsonb) AS id")).get(0).get("id").asText();
    }

    @Test
    void postsThePayloadOnceAcrossReplicasAndCountsDeliveries() throws Exception {
        try (TestServer server = TestServer.start("realtime_webhooks", Map.of("ANVIL_REALTIME_WEBHOOK_ALLOW_PRIVATE", "true"));
             TestServer replica = server.replica()) {
            RECEIVED.clear();
            String unreachable = "http://127.0.0.1:" + closedPort() + "/down";
            var created = server.post("/api/realtime/channels").bearer(server.apiKey()).json(Map.of("pattern", "hooked:%",
                    "webhookUrls", List.of(receiverUrl("/ok"), receiverUrl("/fail"), unreachable))).send();
            assertThat(created.status()).isEqualTo(201);

            String id = publish(server, "hooked:42", "order_created", "{\"orderId\": 42, \"total\": 9.5}");
            JsonNode row = awaitCounts(server, id, 3);
            assertThat(row.get("wh_audience_count").asInt()).isEqualTo(3);
            assertThat(row.get("wh_delivered_count").asInt()).isEqualTo(1); // /fail answered 500, the closed port never answered
            assertThat(row.get("claimed").asText()).isEqualTo("t");

            Received ok = RECEIVED.poll(5, TimeUnit.SECONDS);
            Received failed = RECEIVED.poll(5, TimeUnit.SECONDS);
            assertThat(List.of(ok.path(), failed.path())).containsExactlyInAnyOrder("/ok", "/fail");
            Received hook = ok.path().equals("/ok") ? ok : failed;
            assertThat(Json.parse(hook.body())).isEqualTo(Json.parse("{\"orderId\": 42, \"total\": 9.5}"));
            assertThat(hook.event()).isEqualTo("order_created");
            assertThat(hook.channel()).isEqualTo("hooked:42");
            assertThat(hook.messageId()).isEqualTo(id);
            // Two servers heard the NOTIFY; only one posted.
            assertThat(RECEIVED.poll(1, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void internalTargetsAreRefusedByDefault() throws Exception {
        try (TestServer server = TestServer.start("realtime_webhooks_ssrf")) {
            RECEIVED.clear();
            server.post("/api/realtime/channels").bearer(server.apiKey()).json(Map.of("pattern", "guarded:%",
                    "webhookUrls", List.of(receiverUrl("/loopback"), "http://localhost:" + receiver.getAddress().getPort() + "/byname",
                            "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/internal", "ftp://example.com/x"))).send();
            String id = publish(server, "guarded:1", "attempt", "{}");
            JsonNode row = awaitCounts(server, id, 5);
            assertThat(row.get("wh_audience_count").asInt()).isEqualTo(5);
            assertThat(row.get("wh_delivered_count").asInt()).isZero();
            assertThat(RECEIVED.poll(500, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
            "fe80::1", "fd00::1", "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "::ffff:10.0.0.1"})
    void internalAddresses(String address) throws Exception {
        assertThat(WebhookTargets.isInternal(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "100.128.0.1"})
    void publicAddresses(String address) throws Exception {
        assertThat(WebhookTargets.isInternal(InetAddress.getByName(address))).isFalse();
    }
}
