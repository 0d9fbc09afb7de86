package dev.anvil.server.db;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTENs on Postgres channels over one dedicated connection (never a pooled one: a pooled
 * connection's LISTEN would leak to whoever borrows it next), and keeps doing so across database
 * restarts: a lost connection is reopened with backoff, and {@code onReconnect} runs because
 * notifications sent while it was down are gone.
 */
public final class PgNotificationListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PgNotificationListener.class.getName());
    private static final int POLL_MILLIS = 5_000;
    private static final long PING_EVERY_NANOS = 30_000_000_000L;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** Receives one notification. */
    @FunctionalInterface
    public interface Handler {
        void onNotification(String channel, String payload);
    }

    private final DatabaseLocation location;
    private final List<String> channels;
    private final Handler handler;
    private final Runnable onReconnect;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    private PgNotificationListener(String name, DatabaseLocation location, List<String> channels, Handler handler,
                                   Runnable onReconnect) {
        this.location = location;
        this.channels = List.copyOf(channels);
        this.handler = handler;
        this.onReconnect = onReconnect;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    /** Starts listening; {@code onReconnect} runs after every reconnection (not after the first connect). */
    public static PgNotificationListener start(String name, DatabaseLocation location, List<String> channels,
                                               Handler handler, Runnable onReconnect) {
        PgNotificationListener listener = new PgNotificationListener(name, location, channels, handler, onReconnect);
        listener.thread.start();
        return listener;
    }

    private void run() {
        long backoff = 100;
        boolean first = true;
        while (running) {
            try (Connection c = open()) {
                connection = c;
                try (Statement statement = c.createStatement()) {
                    for (String channel : channels) {
                        statement.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
                    }
                }
                if (!first) {
                    LOG.log(Level.INFO, "Listening on " + channels + " again after a lost connection");
                    safely(onReconnect);
                }
                first = false;
                backoff = 100;
                poll(c);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, "LISTEN connection for " + channels + " lost (" + e.getMessage()
                        + "); reconnecting in " + backoff + " ms");
                first = false;
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } finally {
                connection = null;
            }
        }
    }

    private void poll(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastPing = System.nanoTime();
        while (running) {
            PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    handler.onNotification(notification.getName(), notification.getParameter());
                }
            }
            if (System.nanoTime() - lastPing > PING_EVERY_NANOS) {
                // A silently dropped TCP connection would otherwise leave us listening to nothing.
                try (Statement statement = c.createStatement()) {
                    statement.execute("SELECT 1");
                }
                lastPing = System.nanoTime();
            }
        }
    }

    private Connection open() throws SQLException {
        Properties properties = new Properties();
        if (location.user() != null) {
            properties.setProperty("user", location.user());
        }
        if (location.password() != null) {
            properties.setProperty("password", location.password());
        }
        properties.setProperty("ApplicationName", "anvil-listen");
        properties.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(location.jdbcUrl(), properties);
    }

    private void safely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Reconnect action for " + channels + " failed", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing is how the blocked poll is woken up
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
