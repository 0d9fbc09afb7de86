package dev.anvil.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Socket.IO packet grammar, as socket.io-parser 4.2 writes it, and the frames Anvil writes. */
class SocketIoCodecTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "40                                   | 0 | /       | -1 | ",
            "40{\"token\":\"t\"}                  | 0 | /       | -1 | {\"token\":\"t\"}",
            "40/admin,{\"token\":\"t\"}           | 0 | /admin  | -1 | {\"token\":\"t\"}",
            "41                                   | 1 | /       | -1 | ",
            "42[\"realtime:publish\",{\"a\":1}]   | 2 | /       | -1 | [\"realtime:publish\",{\"a\":1}]",
            "4217[\"realtime:subscribe\",{}]      | 2 | /       | 17 | [\"realtime:subscribe\",{}]",
            "42/chat,3[\"x\"]                     | 2 | /chat   | 3  | [\"x\"]",
            "430[{\"ok\":true}]                   | 3 | /       | 0  | [{\"ok\":true}]",
    })
    void decodes(String frame, int type, String namespace, long ackId, String data) throws Exception {
        SocketIoCodec.Packet packet = SocketIoCodec.decodeSocketPacket(frame.strip());
        assertThat(packet.type()).isEqualTo(type);
        assertThat(packet.namespace()).isEqualTo(namespace);
        assertThat(packet.ackId()).isEqualTo(ackId);
        if (data == null) {
            assertThat(packet.data()).isNull();
        } else {
            assertThat(packet.data().toString()).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"4", "4x", "47", "451-[\"a\",{\"_placeholder\":true,\"num\":0}]", "42", "42{}", "42[]", "42[1]",
            "42[\"a\"", "40[1]", "41{}", "43{}", "40\"token\""})
    void refusesMalformedPackets(String frame) {
        assertThatThrownBy(() -> SocketIoCodec.decodeSocketPacket(frame))
                .isInstanceOf(SocketIoCodec.MalformedPacketException.class);
    }

    @Test
    void encodesFramesTheClientParses() {
        assertThat(SocketIoCodec.openFrame("abc", 25000, 20000, 1000000))
                .isEqualTo("0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
        assertThat(SocketIoCodec.connectFrame("s1")).isEqualTo("40{\"sid\":\"s1\"}");
        assertThat(SocketIoCodec.connectErrorFrame("Invalid \"token\"")).isEqualTo("44{\"message\":\"Invalid \\\"token\\\"\"}");
        assertThat(SocketIoCodec.eventFrame("chat", "{\"a\":1}")).isEqualTo("42[\"chat\",{\"a\":1}]");
        assertThat(SocketIoCodec.ackFrame(5, java.util.Map.of("ok", true))).isEqualTo("435[{\"ok\":true}]");
    }

    @Test
    void spreadsThePayloadAndAddsMeta() {
        String withUser = MessageDelivery.withMeta("{\"a\": 1, \"b\": {\"c\": 2}}", "room:1", "m-1", "user", "u-1");
        assertThat(withUser).startsWith("{\"a\": 1, \"b\": {\"c\": 2},\"meta\":{\"channel\":\"realtime:room:1\",\"messageId\":\"m-1\","
                + "\"senderType\":\"user\",\"senderId\":\"u-1\",\"timestamp\":\"");
        String empty = MessageDelivery.withMeta("{}", "room:1", "m-2", "system", null);
        assertThat(empty).startsWith("{\"meta\":{\"channel\":\"realtime:room:1\",\"messageId\":\"m-2\",\"senderType\":\"system\",\"timestamp\":\"");
        assertThat(dev.anvil.server.http.Json.parse(empty).get("meta").has("senderId")).isFalse();
    }
}
