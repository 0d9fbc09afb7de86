package dev.anvil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Nagle's algorithm is off on accepted connections. With it on (Helidon's default), any response or
 * WebSocket frame written in more than one piece — a realtime subscribe ack listing a room's
 * members, a large JSON body — waited for the client's delayed ACK: 40 ms per subscribe once a room
 * held ~100 members (600 sequential subscribes: 23 s with it, 6 s without).
 */
class ConnectionOptionsTest {

    @Test
    void acceptedConnectionsSendWithoutNagleDelay() {
        try (TestServer server = TestServer.start("connection-options")) {
            assertThat(server.anvil().listenerConfig().connectionOptions().tcpNoDelay()).isTrue();
        }
    }
}
