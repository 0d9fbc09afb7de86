package dev.anvil.server.realtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import dev.anvil.server.http.Principal;

/**
 * The two checks a socket's actions go through, both as the socket's own database role with its
 * claims and {@code realtime.channel_name} set (contract §6.2), so grants and RLS policies on
 * {@code realtime.channels} and {@code realtime.messages} decide — the same rules whichever replica
 * the socket is on.
 *
 * <p>Each is one statement, {@code realtime.subscribe_allowed} / {@code realtime.publish_as}
 * (V40), rather than a {@link dev.anvil.server.db.RoleTransaction}: the function sets role and
 * claims with {@code set_config(..., true)} and then acts, in the statement's own transaction. Same
 * semantics, one round trip instead of four — publishing is the realtime hot path.
 */
final class ChannelAccess {

    private final DataSource dataSource;

    ChannelAccess(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** True when an enabled channel pattern visible to the caller matches {@code channel}. */
    boolean maySubscribe(Principal principal, String channel) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT realtime.subscribe_allowed(?, ?, ?)")) {
            statement.setString(1, principal.dbRole());
            statement.setString(2, principal.claimsJson());
            statement.setString(3, channel);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    /**
     * Stores a message as the caller; the trigger's NOTIFY then fans it out. The id is made here
     * rather than returned by the INSERT: client roles may insert messages but not read them back.
     *
     * @return the message id, or empty when no enabled channel matched
     */
    Optional<UUID> publish(Principal principal, String channel, String event, String payloadJson) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT realtime.publish_as(?, ?, ?::uuid, ?, ?, ?::jsonb, ?, ?::uuid)")) {
            statement.setString(1, principal.dbRole());
            statement.setString(2, principal.claimsJson());
            statement.setString(3, id.toString());
            statement.setString(4, channel);
            statement.setString(5, event);
            statement.setString(6, payloadJson);
            statement.setString(7, principal.isAdmin() ? "system" : "user");
            statement.setString(8, principal.userId().filter(ChannelAccess::isUuid).orElse(null));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1) ? Optional.of(id) : Optional.empty();
            }
        }
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
