package dev.anvil.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Bad input on the realtime socket: each bad socket gets an error or is closed with a reason, and
 * a bystander on the same channel keeps publishing and receiving throughout.
 */
class RealtimeBadInputTest {

    private static final int MAX_PAYLOAD = 4096;
    private static final int RATE_LIMIT = 20;

    private static TestServer server;
    private static String anonAuth;

    @BeforeAll
    static void start() {
        server = TestServer.start("realtime_bad_input", Map.of(
                "ANVIL_REALTIME_MAX_PAYLOAD_BYTES", String.valueOf(MAX_PAYLOAD),
                "ANVIL_REALTIME_RATE_LIMIT", String.valueOf(RATE_LIMIT),
                "ANVIL_REALTIME_PING_INTERVAL_MS", "500",
                "ANVIL_REALTIME_PING_TIMEOUT_MS", "1500"));
        anonAuth = "{\"token\":\"" + server.anonKey() + "\"}";
        assertThat(server.post("/api/realtime/channels").bearer(server.apiKey()).json(Map.of("pattern", "bad:%")).send().status())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawEngineSocket bystander() {
        RawEngineSocket socket = RawEngineSocket.connected(server.baseUrl(), anonAuth);
        socket.send("420[\"realtime:subscribe\",{\"channel\":\"bad:1\"}]");
        assertThat(socket.next("430")).contains("\"ok\":true");
        return socket;
    }

    private static void assertStillWorks(RawEngineSocket socket, String marker) {
        socket.send("42[\"realtime:publish\",{\"channel\":\"bad:1\",\"event\":\"alive\",\"payload\":{\"m\":\"" + marker + "\"}}]");
        assertThat(socket.nextContaining("42[\"alive\"", marker)).contains("\"channel\":\"realtime:bad:1\"");
    }

    @Test
    void openPacketAnnouncesTheSessionAndLimits() {
        try (RawEngineSocket socket = RawEngineSocket.open(server.baseUrl())) {
            JsonNode open = Json.parse(socket.next("0").substring(1));
            assertThat(open.get("sid").asText()).matches("[A-Za-z0-9_-]{20}");
            assertThat(open.get("upgrades").isArray()).isTrue();
            assertThat(open.get("upgrades")).isEmpty();
            assertThat(open.get("pingInterval").asInt()).isEqualTo(500);
            assertThat(open.get("pingTimeout").asInt()).isEqualTo(1500);
            assertThat(open.get("maxPayload").asInt()).isEqualTo(MAX_PAYLOAD);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "invalid JSON            | 42[\"realtime:publish\",{  | 1002 parse error: invalid JSON in Socket.IO packet",
            "event that is no array  | 42{\"a\":1}                 | 1002 parse error: invalid payload for Socket.IO packet type 2",
            "event without a name    | 42[1,2]                    | 1002 parse error: invalid payload for Socket.IO packet type 2",
            "binary attachment       | 451-[\"x\",{}]             | 1002 parse error: binary packets are not supported",
            "unknown packet type     | 49                         | 1002 parse error: unknown Socket.IO packet type",
            "unknown engine packet   | 9hello                     | 1002 parse error",
    })
    void malformedPacketsCloseOnlyThatSocket(String what, String frame, String expectedClose) {
        try (RawEngineSocket watcher = bystander(); RawEngineSocket bad = RawEngineSocket.connected(server.baseUrl(), anonAuth)) {
            bad.send(frame);
            assertThat(bad.awaitClose()).as(what).isEqualTo(expectedClose);
            assertStillWorks(watcher, what.strip());
        }
    }

    @Test
    void oversizedMessageClosesTheSocket() {
        try (RawEngineSocket watcher = bystander(); RawEngineSocket big = RawEngineSocket.connected(server.baseUrl(), anonAuth)) {
            big.send("42[\"realtime:publish\",{\"channel\":\"bad:1\",\"event\":\"big\",\"payload\":{\"x\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}}]");
            assertThat(big.awaitClose()).isEqualTo("1009 message too big");
            assertStillWorks(watcher, "after-big");
        }
    }

    @Test
    void floodIsRefusedThenClosed() {
        try (RawEngineSocket watcher = bystander(); RawEngineSocket flood = RawEngineSocket.connected(server.baseUrl(), anonAuth)) {
            String event = "42[\"realtime:unsubscribe\",{\"channel\":\"bad:x\"}]";
            // Past the burst (2 x 20): refused with an error, still connected.
            for (int i = 0; i < 70; i++) {
                flood.send(event);
            }
            assertThat(flood.next("42[\"realtime:error\"")).contains("TOO_MANY_REQUESTS");
            // Keeps going: cut off. (A client still writing may see the reset before the close frame.)
            for (int i = 0; i < 2000 && flood.trySend(event); i++) {
                // the server closes the socket part-way through
            }
            assertThat(flood.awaitClose()).satisfiesAnyOf(
                    close -> assertThat(close).isEqualTo("1008 rate limit exceeded"),
                    close -> assertThat(close).startsWith("error java.io.IOException"));
            assertStillWorks(watcher, "after-flood");
        }
    }

    @Test
    void aClientThatVanishesLeavesPresenceAtOnce() {
        try (RawEngineSocket watcher = bystander()) {
            RawEngineSocket vanishing = RawEngineSocket.connected(server.baseUrl(), anonAuth);
            vanishing.send("420[\"realtime:subscribe\",{\"channel\":\"bad:1\"}]");
            vanishing.next("430");
            watcher.next("42[\"presence:join\"");
            vanishing.close(); // TCP closed without a close frame
            assertThat(watcher.next("42[\"presence:leave\"")).contains("\"type\":\"anonymous\"");
        }
    }

    @Test
    void unknownEventsGetAnErrorAndTheSocketStays() {
        try (RawEngineSocket socket = bystander()) {
            socket.send("42[\"nope\",{}]");
            assertThat(socket.next("42[\"realtime:error\"")).isEqualTo(
                    "42[\"realtime:error\",{\"code\":\"REALTIME_INVALID_EVENT\",\"message\":\"Unknown event: nope\"}]");
            assertStillWorks(socket, "after-unknown");
        }
    }

    @Test
    void otherNamespacesAreRefused() {
        try (RawEngineSocket socket = RawEngineSocket.open(server.baseUrl())) {
            socket.next("0");
            socket.send("40/admin," + anonAuth);
            assertThat(socket.next("44")).isEqualTo("44/admin,{\"message\":\"Invalid namespace\"}");
        }
    }

    @Test
    void eventsBeforeConnectAreIgnored() {
        try (RawEngineSocket socket = RawEngineSocket.open(server.baseUrl())) {
            socket.next("0");
            socket.send("42[\"realtime:publish\",{\"channel\":\"bad:1\",\"event\":\"x\",\"payload\":{}}]");
            socket.send("40" + anonAuth);
            assertThat(socket.next("4")).startsWith("40{\"sid\":");
        }
    }

    @Test
    void aSocketThatStopsAnsweringPingsIsClosed() {
        try (RawEngineSocket silent = RawEngineSocket.silent(server.baseUrl())) {
            silent.next("0");
            assertThat(silent.next("2")).isEqualTo("2");
            // Never answers: the server gives up after pingInterval + pingTimeout.
            assertThat(silent.awaitClose()).isEqualTo("1001 ping timeout");
        }
        try (RawEngineSocket polite = bystander()) {
            // Answers every ping (RawEngineSocket does so by itself) across several intervals.
            assertThat(polite.awaitCloseOrTimeout(3_000)).isNull();
            assertStillWorks(polite, "after-pings");
        }
    }

    @Test
    void shutdownNotifiesAndClosesSockets() {
        TestServer own = TestServer.start("realtime_shutdown");
        RawEngineSocket socket;
        try {
            socket = RawEngineSocket.connected(own.baseUrl(), "{\"token\":\"" + own.anonKey() + "\"}");
        } finally {
            own.close();
        }
        assertThat(socket.next("42[\"notification\"")).contains("\"level\":\"warning\"").contains("\"title\":\"Server shutting down\"");
        assertThat(socket.awaitClose()).isEqualTo("1001 server shutting down");
    }

    @Test
    void longPollingIsRefusedWithAnEngineIoError() {
        var reply = server.get("/socket.io/?EIO=4&transport=polling").send();
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("code").asInt()).isZero();
        assertThat(reply.json().get("message").asText()).isEqualTo("Transport unknown");
    }
}
