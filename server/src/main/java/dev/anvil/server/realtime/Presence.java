package dev.anvil.server.realtime;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * Who is in which channel, kept in Postgres so every replica sees the same members (InsForge keeps
 * it in process memory, which breaks as soon as two servers share a database). Joins and leaves
 * are announced with NOTIFY {@code realtime_presence} from inside the same transaction, and each
 * replica relays them to its own sockets ({@link MessageDelivery}).
 *
 * <p>Each server renews a heartbeat; when one stops (crash, kill -9, partition) the others sweep
 * it after {@link #expiry} and its members leave. The SQL lives in {@code V40__realtime_delivery.sql}
 * ({@code realtime.presence_join/remove/sweep}) so each step is one round trip and atomic.
 */
final class Presence {

    private static final System.Logger LOG = System.getLogger(Presence.class.getName());
    private static final long MIN_EXPIRY_MILLIS = 15_000;

    private final DataSource dataSource;
    private final UUID serverId = UUID.randomUUID();
    private final String expiry;

    Presence(DataSource dataSource, Duration heartbeat) {
        this.dataSource = dataSource;
        // Three missed heartbeats, and never under 15 s: long enough for a GC pause or an overloaded
        // machine, short enough that a crashed replica's members are gone within seconds.
        this.expiry = Math.max(heartbeat.multipliedBy(3).toMillis(), MIN_EXPIRY_MILLIS) + " milliseconds";
    }

    UUID serverId() {
        return serverId;
    }

    /** Adds the socket to the channel's presence; returns the members (a JSON array) including it. */
    String join(RealtimeSocket socket, String channel) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT realtime.presence_join(?::uuid, ?, ?, ?, ?, ?::interval)::text")) {
            statement.setString(1, serverId.toString());
            statement.setString(2, socket.id());
            statement.setString(3, channel);
            statement.setString(4, socket.presenceType());
            statement.setString(5, socket.presenceId());
            statement.setString(6, expiry);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    /** Removes the socket from the channel; announces a leave if it was the member's last socket. */
    void leave(String socketId, String channel) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT realtime.presence_remove(?, ?, ?::interval)")) {
            statement.setString(1, channel);
            statement.setString(2, socketId);
            statement.setString(3, expiry);
            statement.execute();
        } catch (SQLException e) {
            // The row stays until this server's heartbeat stops; log, the socket is gone either way.
            LOG.log(Level.WARNING, "Could not record presence leave of " + socketId + " in " + channel + ": " + e.getMessage());
        }
    }

    /**
     * Renews this server's heartbeat and sweeps servers whose heartbeat expired.
     *
     * @return true when this server had been swept itself (its rows are gone and must be re-joined)
     */
    boolean heartbeat() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean wasSwept;
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE realtime.presence_servers SET heartbeat_at = now() WHERE server_id = ?::uuid")) {
                update.setString(1, serverId.toString());
                wasSwept = update.executeUpdate() == 0;
            }
            if (wasSwept) {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO realtime.presence_servers (server_id) VALUES (?::uuid) "
                                + "ON CONFLICT (server_id) DO UPDATE SET heartbeat_at = now()")) {
                    insert.setString(1, serverId.toString());
                    insert.executeUpdate();
                }
            }
            sweep(connection, null);
            return wasSwept;
        }
    }

    /** On shutdown: this server's members leave now rather than when its heartbeat expires. */
    void leaveAll() {
        try (Connection connection = dataSource.getConnection()) {
            sweep(connection, serverId);
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "Could not remove this server's presence rows: " + e.getMessage());
        }
    }

    private void sweep(Connection connection, UUID also) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT realtime.presence_sweep(?::interval, ?::uuid)")) {
            statement.setString(1, expiry);
            statement.setString(2, also == null ? null : also.toString());
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next() && rows.getInt(1) > 0 && also == null) {
                    LOG.log(Level.INFO, "Swept " + rows.getInt(1) + " presence rows of servers whose heartbeat expired");
                }
            }
        }
    }
}
