package dev.anvil.server.realtime;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * The client events of contract §6.2: {@code realtime:subscribe} (with its ack),
 * {@code realtime:unsubscribe} and {@code realtime:publish}. Runs on the socket's own reader
 * thread, so one socket's events are handled in the order it sent them.
 */
final class ChannelEvents {

    private static final System.Logger LOG = System.getLogger(ChannelEvents.class.getName());
    static final int MAX_CHANNEL_LENGTH = 255;
    static final int MAX_EVENT_LENGTH = 255;

    private final ChannelAccess access;
    private final Presence presence;
    private final Rooms rooms;
    private final Executor background;

    ChannelEvents(ChannelAccess access, Presence presence, Rooms rooms, Executor background) {
        this.access = access;
        this.presence = presence;
        this.rooms = rooms;
        this.background = background;
    }

    void handle(RealtimeSocket socket, SocketIoCodec.Packet packet) {
        String event = packet.eventName();
        JsonNode argument = packet.firstArgument();
        switch (event) {
            case "realtime:subscribe" -> subscribe(socket, argument, packet.ackId());
            case "realtime:unsubscribe" -> unsubscribe(socket, argument);
            case "realtime:publish" -> publish(socket, argument);
            default -> error(socket, null, "REALTIME_INVALID_EVENT", "Unknown event: " + truncate(event));
        }
    }

    private void subscribe(RealtimeSocket socket, JsonNode argument, long ackId) {
        Optional<String> channel = channelOf(argument);
        if (channel.isEmpty()) {
            reply(socket, ackId, failure("", "REALTIME_INVALID_CHANNEL_REQUEST", "channel: Required (a string of 1 to "
                    + MAX_CHANNEL_LENGTH + " characters)"));
            return;
        }
        String name = channel.get();
        try {
            if (!socket.channels().contains(name) && !access.maySubscribe(socket.principal(), name)) {
                reply(socket, ackId, failure(name, "REALTIME_UNAUTHORIZED", "Not authorized to subscribe to this channel"));
                return;
            }
            // Join the room before the ack, so no message published after the ack is missed.
            rooms.join(name, socket);
            socket.channels().add(name);
            if (socket.isClosed()) {
                // Closed (ping timeout, shutdown) while this subscribe was in flight: its cleanup has run.
                rooms.leave(name, socket);
                return;
            }
            String members = presence.join(socket, name);
            if (socket.isClosed()) {
                presence.leave(socket.id(), name);
                return;
            }
            if (ackId >= 0) {
                socket.send("43" + ackId + "[{\"ok\":true,\"channel\":" + SocketIoCodec.quote(name)
                        + ",\"presence\":{\"members\":" + members + "}}]");
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                reply(socket, ackId, failure(name, "REALTIME_UNAUTHORIZED", "Not authorized to subscribe to this channel"));
                return;
            }
            LOG.log(Level.WARNING, "Subscribe to " + name + " failed: " + e.getMessage());
            rooms.leave(name, socket);
            socket.channels().remove(name);
            reply(socket, ackId, failure(name, "INTERNAL_ERROR", "Failed to subscribe to channel"));
        }
    }

    private void unsubscribe(RealtimeSocket socket, JsonNode argument) {
        channelOf(argument).ifPresent(name -> {
            if (socket.channels().remove(name)) {
                rooms.leave(name, socket);
                presence.leave(socket.id(), name);
            }
        });
    }

    /** Leaves every channel: the socket disconnected. Presence is updated off the caller's thread. */
    void leaveAll(RealtimeSocket socket) {
        for (String name : socket.channels()) {
            rooms.leave(name, socket);
        }
        if (socket.id() == null || socket.channels().isEmpty()) {
            return;
        }
        String[] names = socket.channels().toArray(String[]::new);
        socket.channels().clear();
        background.execute(() -> {
            for (String name : names) {
                presence.leave(socket.id(), name);
            }
        });
    }

    private void publish(RealtimeSocket socket, JsonNode argument) {
        Optional<String> channel = channelOf(argument);
        if (channel.isEmpty()) {
            error(socket, null, "REALTIME_INVALID_EVENT", "channel: Required");
            return;
        }
        String name = channel.get();
        JsonNode event = argument.get("event");
        if (event == null || !event.isTextual() || event.textValue().isEmpty() || event.textValue().length() > MAX_EVENT_LENGTH) {
            error(socket, name, "REALTIME_INVALID_EVENT", "event: Required (a string of 1 to " + MAX_EVENT_LENGTH + " characters)");
            return;
        }
        if (MessageDelivery.RESERVED_EVENTS.contains(event.textValue())) {
            error(socket, name, "REALTIME_INVALID_EVENT", "event: " + event.textValue() + " is reserved by Socket.IO");
            return;
        }
        JsonNode payload = argument.get("payload");
        if (payload == null || !payload.isObject()) {
            error(socket, name, "REALTIME_INVALID_EVENT", "payload: Expected object");
            return;
        }
        if (!socket.channels().contains(name)) {
            error(socket, name, "REALTIME_NOT_SUBSCRIBED", "Must subscribe to channel before publishing messages");
            return;
        }
        try {
            Optional<UUID> id = access.publish(socket.principal(), name, event.textValue(), Json.string(payload));
            if (id.isEmpty()) {
                error(socket, name, "REALTIME_UNAUTHORIZED", "Not authorized to publish to this channel");
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                error(socket, name, "REALTIME_UNAUTHORIZED", "Not authorized to publish to this channel");
                return;
            }
            LOG.log(Level.WARNING, "Publish to " + name + " failed: " + e.getMessage());
            error(socket, name, "INTERNAL_ERROR", "Failed to publish message");
        }
    }

    private static Optional<String> channelOf(JsonNode argument) {
        if (argument == null || !argument.isObject()) {
            return Optional.empty();
        }
        JsonNode channel = argument.get("channel");
        if (channel == null || !channel.isTextual()) {
            return Optional.empty();
        }
        String name = channel.textValue();
        if (name.isEmpty() || name.length() > MAX_CHANNEL_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        return Optional.of(name);
    }

    private static ObjectNode failure(String channel, String code, String message) {
        ObjectNode reply = Json.object();
        reply.put("ok", false);
        reply.put("channel", channel);
        ObjectNode error = reply.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return reply;
    }

    private static void reply(RealtimeSocket socket, long ackId, ObjectNode body) {
        if (ackId >= 0) {
            socket.send(SocketIoCodec.ackFrame(ackId, body));
        } else {
            JsonNode error = body.get("error");
            error(socket, body.path("channel").asText(null), error.get("code").asText(), error.get("message").asText());
        }
    }

    /** {@code realtime:error}: {@code {channel?, code, message}}, no meta. */
    static void error(RealtimeSocket socket, String channel, String code, String message) {
        ObjectNode body = Json.object();
        if (channel != null && !channel.isEmpty()) {
            body.put("channel", channel);
        }
        body.put("code", code);
        body.put("message", message);
        socket.send(SocketIoCodec.eventFrame("realtime:error", body));
    }

    private static String truncate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "…" : text;
    }
}
