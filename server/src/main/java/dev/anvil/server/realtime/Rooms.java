package dev.anvil.server.realtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This server's sockets by channel. Every replica keeps its own rooms and delivers each message to
 * its own members; NOTIFY makes sure every replica hears of every message.
 */
final class Rooms {

    private final ConcurrentHashMap<String, Set<RealtimeSocket>> byChannel = new ConcurrentHashMap<>();

    void join(String channel, RealtimeSocket socket) {
        byChannel.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(socket);
    }

    void leave(String channel, RealtimeSocket socket) {
        byChannel.computeIfPresent(channel, (c, members) -> {
            members.remove(socket);
            return members.isEmpty() ? null : members;
        });
    }

    /** Queues one already-encoded frame for every member except {@code exceptSocketId}; returns how many. */
    int broadcast(String channel, String frame, String exceptSocketId) {
        Set<RealtimeSocket> members = byChannel.get(channel);
        if (members == null) {
            return 0;
        }
        int count = 0;
        for (RealtimeSocket socket : members) {
            if (exceptSocketId != null && exceptSocketId.equals(socket.id())) {
                continue;
            }
            socket.send(frame);
            count++;
        }
        return count;
    }
}
