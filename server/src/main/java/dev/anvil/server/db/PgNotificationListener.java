package dev.anvil.server.db;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTENs on Postgres channels over one dedicated connection (never a pooled one: a pooled
 * connection's LISTEN would leak to whoever borrows it next), and keeps doing so across database
 * restarts, failovers and {@code pg_terminate_backend}: a lost connection is reopened with backoff.
 *
 * <p>The handler gets the listener's own connection — when it connects, and with every batch of
 * notifications — so it can query on it without waiting for the pool (realtime loads the notified
 * messages this way). On a reconnect it is told so: notifications sent while nobody listened are
 * gone, and it must catch up from the tables. Everything runs on the listener's thread, in order.
 * A handler that throws is treated like a lost connection (logged, reconnected, told it is a reconnect).
 *
 * <p>The connection is pinged every {@value #PING_EVERY_SECONDS} s even when nothing arrives: a
 * silently dropped TCP connection would otherwise leave it listening to nothing.
 */
public final class PgNotificationListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PgNotificationListener.class.getName());
    private static final long PING_EVERY_SECONDS = 30;
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** One notification: the channel it came on and its payload (empty when NOTIFY had none). */
    public record Notification(String channel, String payload) {
    }

    /** What to do with what arrives; called on the listener's thread, in order. */
    public interface Handler {
        /**
         * After every (re)connect, once the channels are LISTENed to and before notifications are
         * read; {@code reconnect} is false the first time.
         */
        default void connected(Connection connection, boolean reconnect) throws SQLException {
        }

        /** The notifications that arrived together, in the order Postgres sent them. */
        void notifications(Connection connection, List<Notification> batch) throws SQLException;
    }

    private final String name;
    private final DatabaseLocation location;
    private final List<String> channels;
    private final int pollMillis;
    private final Handler handler;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean listening;
    private final CountDownLatch firstListen = new CountDownLatch(1);
    private volatile Connection connection;

    private PgNotificationListener(String name, DatabaseLocation location, List<String> channels, Duration pollInterval,
                                   Handler handler) {
        this.name = name;
        this.location = location;
        this.channels = List.copyOf(channels);
        this.pollMillis = Math.toIntExact(pollInterval.toMillis());
        this.handler = handler;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    /**
     * Starts listening on a thread of its own.
     *
     * @param name         the thread's name and the connection's {@code application_name}
     * @param pollInterval how long one wait for notifications may block: how soon {@link #close()} and
     *                     the keep-alive ping get their turn; a notification never waits for it
     */
    public static PgNotificationListener start(String name, DatabaseLocation location, List<String> channels,
                                               Duration pollInterval, Handler handler) {
        PgNotificationListener listener = new PgNotificationListener(name, location, channels, pollInterval, handler);
        listener.thread.start();
        return listener;
    }

    /** True while the connection is up and its handler has run {@link Handler#connected}. */
    public boolean isListening() {
        return listening;
    }

    /** Waits until the listener has listened once (connected, LISTENed, handler told); false on timeout. */
    public boolean awaitFirstListen(Duration timeout) throws InterruptedException {
        return firstListen.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        boolean reconnect = false;
        while (running) {
            try (Connection c = open()) {
                connection = c;
                try (Statement statement = c.createStatement()) {
                    for (String channel : channels) {
                        statement.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
                    }
                }
                handler.connected(c, reconnect);
                listening = true;
                firstListen.countDown();
                if (reconnect) {
                    LOG.log(Level.INFO, name + ": listening on " + channels + " again after a lost connection");
                }
                reconnect = true;
                backoff = FIRST_BACKOFF_MILLIS;
                poll(c);
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, name + ": LISTEN connection for " + channels + " lost (" + e.getMessage()
                        + "); reconnecting in " + backoff + " ms");
                reconnect = true;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } finally {
                listening = false;
                connection = null;
            }
        }
    }

    private void poll(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long pingEveryNanos = Duration.ofSeconds(PING_EVERY_SECONDS).toNanos();
        long lastPing = System.nanoTime();
        while (running) {
            PGNotification[] notifications = pg.getNotifications(pollMillis);
            if (notifications != null && notifications.length > 0) {
                List<Notification> batch = new ArrayList<>(notifications.length);
                for (PGNotification notification : notifications) {
                    batch.add(new Notification(notification.getName(), notification.getParameter()));
                }
                handler.notifications(c, batch);
            }
            if (System.nanoTime() - lastPing > pingEveryNanos) {
                try (Statement statement = c.createStatement()) {
                    statement.execute("SELECT 1");
                }
                lastPing = System.nanoTime();
            }
        }
    }

    private Connection open() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "10");
        return location.openDedicated(name, properties);
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
