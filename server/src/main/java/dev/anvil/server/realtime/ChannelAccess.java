package dev.anvil.server.realtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Principal;

/**
 * The two checks a socket's actions go through, both as the socket's own database role with its
 * claims and {@code realtime.channel_name} set (contract §6.2), so grants and RLS policies on
 * {@code realtime.channels} and {@code realtime.messages} decide — the same rules whichever replica
 * the socket is on.
 */
final class ChannelAccess {

    /** Best matching enabled channel first: the exact pattern, then the longest LIKE pattern. */
    private static final String MATCH = " FROM realtime.channels c WHERE c.enabled AND (c.pattern = ? OR ? LIKE c.pattern)"
            + " ORDER BY (c.pattern = ?) DESC, length(c.pattern) DESC LIMIT 1";

    private final RoleTransaction transactions;

    ChannelAccess(RoleTransaction transactions) {
        this.transactions = transactions;
    }

    /** True when an enabled channel pattern visible to the caller matches {@code channel}. */
    boolean maySubscribe(Principal principal, String channel) throws SQLException {
        return transactions.run(principal, true, connection -> {
            setChannelName(connection, channel);
            try (PreparedStatement statement = connection.prepareStatement("SELECT 1" + MATCH)) {
                bindMatch(statement, 1, channel);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    /**
     * Stores a message as the caller; the trigger's NOTIFY then fans it out. The id is made here
     * rather than returned by the INSERT: client roles may insert messages but not read them back.
     *
     * @return the message id, or empty when no enabled channel matched
     */
    Optional<UUID> publish(Principal principal, String channel, String event, String payloadJson) throws SQLException {
        UUID id = UUID.randomUUID();
        String senderType = principal.isAdmin() ? "system" : "user";
        String senderId = principal.userId().filter(ChannelAccess::isUuid).orElse(null);
        int inserted = transactions.run(principal, false, connection -> {
            setChannelName(connection, channel);
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT INTO realtime.messages (id, event_name, channel_id, channel_name, payload, sender_type, sender_id)"
                            + " SELECT ?::uuid, ?, c.id, ?, ?::jsonb, ?, ?::uuid" + MATCH)) {
                statement.setString(1, id.toString());
                statement.setString(2, event);
                statement.setString(3, channel);
                statement.setString(4, payloadJson);
                statement.setString(5, senderType);
                statement.setString(6, senderId);
                bindMatch(statement, 7, channel);
                return statement.executeUpdate();
            }
        });
        return inserted == 1 ? Optional.of(id) : Optional.empty();
    }

    private static void setChannelName(Connection connection, String channel) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT set_config('realtime.channel_name', ?, true)")) {
            statement.setString(1, channel);
            statement.execute();
        }
    }

    private static void bindMatch(PreparedStatement statement, int from, String channel) throws SQLException {
        statement.setString(from, channel);
        statement.setString(from + 1, channel);
        statement.setString(from + 2, channel);
    }

    static boolean isUuid(String value) {
        try {
            UUID.fromString(value);
            return value.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
