package dev.anvil.server.realtime;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dev.anvil.server.db.DatabaseLocation;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The realtime LISTEN loop: one dedicated connection per server (outside the pool, which would
 * recycle it) listening on {@code realtime_message} (new rows in {@code realtime.messages}) and
 * {@code realtime_presence} (joins and leaves from any replica). If the connection breaks — a
 * Postgres restart, a failover, {@code pg_terminate_backend} — it reconnects with backoff, and the
 * delivery side catches up on messages stored while it was away.
 */
final class RealtimeListener implements AutoCloseable {

    static final String MESSAGE_CHANNEL = "realtime_message";
    static final String PRESENCE_CHANNEL = "realtime_presence";

    private static final System.Logger LOG = System.getLogger(RealtimeListener.class.getName());
    private static final int POLL_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** What to do with what arrives; called on the listener thread, in order. */
    interface Handler {
        /** Called after every (re)connect, before notifications are read; {@code reconnect} is false the first time. */
        void connected(Connection connection, boolean reconnect) throws SQLException;

        void messages(Connection connection, List<String> messageIds) throws SQLException;

        void presence(String payload);
    }

    private final DatabaseLocation location;
    private final Handler handler;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection current;
    private volatile boolean listening;

    RealtimeListener(DatabaseLocation location, Handler handler) {
        this.location = location;
        this.handler = handler;
        this.thread = Thread.ofPlatform().daemon().name("anvil-realtime-listen").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** True while the LISTEN connection is up (for tests and health). */
    boolean isListening() {
        return listening;
    }

    private void run() {
        long backoff = 100;
        boolean reconnect = false;
        while (running) {
            try (Connection connection = connect()) {
                current = connection;
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + MESSAGE_CHANNEL);
                    statement.execute("LISTEN " + PRESENCE_CHANNEL);
                }
                handler.connected(connection, reconnect);
                listening = true;
                if (reconnect) {
                    LOG.log(Level.INFO, "Realtime listener reconnected");
                }
                backoff = 100;
                reconnect = true;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        dispatch(connection, notifications);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, "Realtime listener lost its connection (" + e.getMessage() + "); retrying in "
                        + backoff + " ms");
                reconnect = true;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } finally {
                listening = false;
                current = null;
            }
        }
    }

    private void dispatch(Connection connection, PGNotification[] notifications) throws SQLException {
        List<String> messageIds = new ArrayList<>(notifications.length);
        for (PGNotification notification : notifications) {
            if (MESSAGE_CHANNEL.equals(notification.getName())) {
                messageIds.add(notification.getParameter());
            } else if (PRESENCE_CHANNEL.equals(notification.getName())) {
                // Messages first: a join/leave relayed after the messages that preceded it.
                if (!messageIds.isEmpty()) {
                    handler.messages(connection, messageIds);
                    messageIds = new ArrayList<>();
                }
                handler.presence(notification.getParameter());
            }
        }
        if (!messageIds.isEmpty()) {
            handler.messages(connection, messageIds);
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (location.user() != null) {
            properties.setProperty("user", location.user());
        }
        if (location.password() != null) {
            properties.setProperty("password", location.password());
        }
        properties.setProperty("ApplicationName", "anvil-realtime-listen");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(location.jdbcUrl(), properties);
    }

    @Override
    public void close() {
        running = false;
        Connection connection = current;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
