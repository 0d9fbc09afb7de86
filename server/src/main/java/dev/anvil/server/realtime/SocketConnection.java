package dev.anvil.server.realtime;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Principal;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * One websocket speaking Engine.IO v4 / Socket.IO v5 (a fresh listener per connection; Helidon
 * calls it on the connection's own virtual thread). Handshake: the Engine.IO open packet, then the
 * client's CONNECT carrying {@code auth.token} (user JWT or anon key) or {@code auth.apiKey},
 * answered with CONNECT or CONNECT_ERROR in the contract's words. After that, EVENT packets go to
 * {@link ChannelEvents}. Bad input never reaches other sockets: a malformed packet or an oversized
 * message closes this socket with a reason; a flood is refused, then closed.
 */
final class SocketConnection implements WsListener {

    private final RealtimeEndpoint endpoint;
    private RealtimeSocket socket;

    SocketConnection(RealtimeEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        String eio = prologue.query().first("EIO").orElse("");
        String transport = prologue.query().first("transport").orElse("");
        if (!"4".equals(eio)) {
            throw new WsUpgradeException("Unsupported protocol version (Engine.IO 4 is required)");
        }
        if (!"websocket".equals(transport)) {
            throw new WsUpgradeException("Transport unknown");
        }
        if (prologue.query().contains("sid")) {
            throw new WsUpgradeException("Session ID unknown (upgrades from polling are not supported)");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        // Runs on the connection's own thread, which RealtimeSocket remembers to notice a vanished peer.
        socket = endpoint.open(session);
        socket.sendNow(SocketIoCodec.openFrame(socket.engineId(), endpoint.pingIntervalMs(), endpoint.pingTimeoutMs(),
                endpoint.maxPayloadBytes()));
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        StringBuilder partial = socket.partialFrame();
        if (!last || !partial.isEmpty()) {
            if (partial.length() + text.length() > endpoint.maxPayloadBytes()) {
                closeNow(WsCloseCodes.TOO_BIG, "message too big");
            }
            partial.append(text);
            if (!last) {
                return;
            }
            text = partial.toString();
            partial.setLength(0);
        }
        if (text.length() > endpoint.maxPayloadBytes()) {
            closeNow(WsCloseCodes.TOO_BIG, "message too big");
        }
        if (text.isEmpty()) {
            closeNow(WsCloseCodes.PROTOCOL_ERROR, "parse error");
        }
        switch (text.charAt(0)) {
            case SocketIoCodec.ENGINE_PONG -> socket.pongReceived();
            case SocketIoCodec.ENGINE_PING -> socket.send("3" + text.substring(1));
            case SocketIoCodec.ENGINE_NOOP -> { }
            case SocketIoCodec.ENGINE_CLOSE -> closeNow(WsCloseCodes.NORMAL_CLOSE, "client close");
            case SocketIoCodec.ENGINE_MESSAGE -> socketIoPacket(text);
            default -> closeNow(WsCloseCodes.PROTOCOL_ERROR, "parse error");
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        closeNow(WsCloseCodes.CANNOT_ACCEPT, "binary frames are not supported");
    }

    private void socketIoPacket(String text) {
        SocketIoCodec.Packet packet;
        try {
            packet = SocketIoCodec.decodeSocketPacket(text);
        } catch (SocketIoCodec.MalformedPacketException e) {
            closeNow(WsCloseCodes.PROTOCOL_ERROR, "parse error: " + e.getMessage());
            return;
        }
        if (!"/".equals(packet.namespace())) {
            if (packet.type() == SocketIoCodec.CONNECT) {
                socket.send(SocketIoCodec.connectErrorFrame(packet.namespace(), "Invalid namespace"));
            }
            return;
        }
        switch (packet.type()) {
            case SocketIoCodec.CONNECT -> connect(packet.data());
            case SocketIoCodec.DISCONNECT -> closeNow(WsCloseCodes.NORMAL_CLOSE, "client namespace disconnect");
            case SocketIoCodec.EVENT -> event(packet);
            default -> { } // ACKs from the client (we never ask for one) and CONNECT_ERROR are ignored
        }
    }

    private void connect(JsonNode auth) {
        if (socket.isConnected()) {
            return;
        }
        Optional<String> token = text(auth, "token");
        Optional<String> apiKey = text(auth, "apiKey");
        if (token.isEmpty() && apiKey.isEmpty()) {
            socket.send(SocketIoCodec.connectErrorFrame("No authentication provided"));
            return;
        }
        Principal principal;
        try {
            principal = endpoint.authenticate(token, token.isPresent() ? Optional.empty() : apiKey);
        } catch (ApiException e) {
            socket.send(SocketIoCodec.connectErrorFrame(e.getMessage()));
            return;
        }
        socket.connected(RealtimeEndpoint.newId(), principal);
        socket.send(SocketIoCodec.connectFrame(socket.id()));
    }

    private void event(SocketIoCodec.Packet packet) {
        if (!socket.isConnected()) {
            return; // socket.io drops events for a namespace the client has not joined
        }
        switch (socket.rateLimit().take()) {
            case ALLOW -> endpoint.events().handle(socket, packet);
            case DROP -> {
                if (socket.rateLimit().shouldTell()) {
                    ChannelEvents.error(socket, null, "TOO_MANY_REQUESTS",
                            "Too many events: at most " + endpoint.rateLimit() + " per second; events are being dropped");
                }
            }
            case CLOSE -> {
                socket.sendNow(SocketIoCodec.eventFrame("realtime:error", "{\"code\":\"TOO_MANY_REQUESTS\","
                        + "\"message\":\"Event flood: the connection is closed\"}"));
                closeNow(WsCloseCodes.VIOLATED_POLICY, "rate limit exceeded");
            }
        }
    }

    private static Optional<String> text(JsonNode auth, String field) {
        if (auth == null || !auth.has(field) || !auth.get(field).isTextual() || auth.get(field).textValue().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(auth.get(field).textValue());
    }

    /** Closes from the reader thread: close frame with the reason, cleanup, and end the connection loop. */
    private void closeNow(int code, String reason) {
        socket.close(code, reason);
        endpoint.closed(socket);
        throw new CloseConnectionException(reason);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (socket != null) {
            endpoint.closed(socket);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        if (socket != null) {
            endpoint.closed(socket);
        }
    }
}
