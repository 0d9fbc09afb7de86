package dev.anvil.server.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.anvil.server.http.Json;

/**
 * The two nested wire formats the websocket carries, text only (contract §6.1): Engine.IO v4 packets
 * ({@code 0} open, {@code 1} close, {@code 2} ping, {@code 3} pong, {@code 4} message, {@code 6}
 * noop) and, inside a message, Socket.IO v5 packets ({@code 0} CONNECT, {@code 1} DISCONNECT,
 * {@code 2} EVENT, {@code 3} ACK, {@code 4} CONNECT_ERROR) with an optional namespace and ack id.
 * Binary attachments ({@code 5}/{@code 6}) are refused: no InsForge client sends them.
 *
 * <p>Outgoing frames are built as strings so a broadcast is encoded once and the same frame is
 * written to every socket in the room.
 */
public final class SocketIoCodec {

    public static final char ENGINE_OPEN = '0';
    public static final char ENGINE_CLOSE = '1';
    public static final char ENGINE_PING = '2';
    public static final char ENGINE_PONG = '3';
    public static final char ENGINE_MESSAGE = '4';
    public static final char ENGINE_UPGRADE = '5';
    public static final char ENGINE_NOOP = '6';

    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;

    public static final String PING_FRAME = "2";
    public static final String DISCONNECT_FRAME = "41";

    private SocketIoCodec() {
    }

    /** A Socket.IO packet from a client; {@code ackId} is -1 when the sender wants no ack. */
    public record Packet(int type, String namespace, long ackId, JsonNode data) {

        /** The event name of an EVENT packet. */
        public String eventName() {
            return data.get(0).textValue();
        }

        /** The first argument of an EVENT packet, or null. */
        public JsonNode firstArgument() {
            return data.size() > 1 ? data.get(1) : null;
        }
    }

    /** The packet is not valid Engine.IO / Socket.IO: the connection is closed with this reason. */
    public static final class MalformedPacketException extends Exception {
        public MalformedPacketException(String message) {
            super(message, null, false, false);
        }
    }

    /** Decodes the Socket.IO packet inside an Engine.IO message frame (the text after the {@code 4}). */
    public static Packet decodeSocketPacket(String frame) throws MalformedPacketException {
        if (frame.length() < 2) {
            throw new MalformedPacketException("empty Socket.IO packet");
        }
        int type = frame.charAt(1) - '0';
        if (type < CONNECT || type > 6) {
            throw new MalformedPacketException("unknown Socket.IO packet type");
        }
        if (type > CONNECT_ERROR) {
            throw new MalformedPacketException("binary packets are not supported");
        }
        int i = 2;
        String namespace = "/";
        if (i < frame.length() && frame.charAt(i) == '/') {
            int comma = frame.indexOf(',', i);
            int end = comma < 0 ? frame.length() : comma;
            namespace = frame.substring(i, end);
            i = comma < 0 ? end : end + 1;
        }
        long ackId = -1;
        int idStart = i;
        while (i < frame.length() && Character.isDigit(frame.charAt(i)) && i - idStart < 16) {
            i++;
        }
        if (i > idStart) {
            ackId = Long.parseLong(frame, idStart, i, 10);
        }
        JsonNode data = null;
        if (i < frame.length()) {
            try {
                data = Json.mapper().readTree(frame.substring(i));
            } catch (JsonProcessingException e) {
                throw new MalformedPacketException("invalid JSON in Socket.IO packet");
            }
        }
        validate(type, data);
        return new Packet(type, namespace, ackId, data);
    }

    /** The same payload rules as socket.io-parser's {@code isPayloadValid}. */
    private static void validate(int type, JsonNode data) throws MalformedPacketException {
        boolean valid = switch (type) {
            case CONNECT -> data == null || data.isObject();
            case DISCONNECT -> data == null;
            case CONNECT_ERROR -> data != null && (data.isObject() || data.isTextual());
            case EVENT -> data instanceof ArrayNode array && !array.isEmpty() && array.get(0).isTextual();
            case ACK -> data instanceof ArrayNode;
            default -> false;
        };
        if (!valid) {
            throw new MalformedPacketException("invalid payload for Socket.IO packet type " + type);
        }
    }

    /** Engine.IO open packet: the handshake the client waits for before anything else. */
    public static String openFrame(String sid, long pingIntervalMs, long pingTimeoutMs, long maxPayload) {
        return "0{\"sid\":" + quote(sid) + ",\"upgrades\":[],\"pingInterval\":" + pingIntervalMs
                + ",\"pingTimeout\":" + pingTimeoutMs + ",\"maxPayload\":" + maxPayload + "}";
    }

    public static String connectFrame(String socketId) {
        return "40{\"sid\":" + quote(socketId) + "}";
    }

    /** CONNECT_ERROR: socket.io-client raises {@code connect_error} with {@code message}. */
    public static String connectErrorFrame(String message) {
        return "44{\"message\":" + quote(message) + "}";
    }

    /** A CONNECT_ERROR for a namespace other than the default one. */
    public static String connectErrorFrame(String namespace, String message) {
        return "44" + namespace + ",{\"message\":" + quote(message) + "}";
    }

    /** EVENT with one argument given as JSON text. */
    public static String eventFrame(String event, String argumentJson) {
        return "42[" + quote(event) + "," + argumentJson + "]";
    }

    /** EVENT with one argument serialised by Jackson. */
    public static String eventFrame(String event, Object argument) {
        return eventFrame(event, Json.string(argument));
    }

    public static String ackFrame(long ackId, Object argument) {
        return "43" + ackId + "[" + Json.string(argument) + "]";
    }

    public static String quote(String text) {
        return Json.string(text);
    }
}
