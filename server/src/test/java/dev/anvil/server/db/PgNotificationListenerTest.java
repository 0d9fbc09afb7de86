package dev.anvil.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.anvil.server.testing.SharedPostgres;
import org.junit.jupiter.api.Test;

/**
 * The one LISTEN loop records and realtime share, against a real Postgres: batches in order with the
 * listener's own connection, the connect/reconnect calls a handler catches up in, and recovery from
 * a killed backend and from a handler that fails.
 */
class PgNotificationListenerTest {

    /** What a handler saw, in the order it saw it (written on the listener thread). */
    static final class Recorder implements PgNotificationListener.Handler {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<List<PgNotificationListener.Notification>> batches = new ArrayList<>();
        volatile boolean failNextBatch;

        @Override
        public void connected(Connection connection, boolean reconnect) throws SQLException {
            events.add((reconnect ? "reconnected as " : "connected as ") + applicationName(connection));
        }

        @Override
        public synchronized void notifications(Connection connection, List<PgNotificationListener.Notification> batch)
                throws SQLException {
            if (failNextBatch) {
                failNextBatch = false;
                throw new IllegalStateException("handler failed on purpose");
            }
            batches.add(batch);
            // The handler may query on the listener's connection (realtime loads messages this way).
            for (PgNotificationListener.Notification notification : batch) {
                events.add(notification.channel() + ":" + notification.payload() + " via " + applicationName(connection));
            }
        }

        String next() throws InterruptedException {
            String event = events.poll(15, TimeUnit.SECONDS);
            assertThat(event).as("an event within 15 s").isNotNull();
            return event;
        }
    }

    static String applicationName(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('application_name')")) {
            row.next();
            return row.getString(1);
        }
    }

    @Test
    void notificationsArriveInOrderWithTheListenersConnection() throws Exception {
        DatabaseLocation location = SharedPostgres.newEmptyDatabase("listen_order");
        Recorder recorder = new Recorder();
        try (PgNotificationListener listener = PgNotificationListener.start("anvil-test-listen", location,
                List.of("first", "Second \"quoted\""), Duration.ofMillis(200), recorder)) {
            assertThat(recorder.next()).isEqualTo("connected as anvil-test-listen");
            assertThat(listener.awaitFirstListen(Duration.ofSeconds(15))).isTrue();
            assertThat(listener.isListening()).isTrue();

            // One transaction: Postgres delivers its notifications together, in order, at commit.
            SharedPostgres.execute(database(location), "BEGIN; NOTIFY first, 'a'; NOTIFY \"Second \"\"quoted\"\"\", 'b'; "
                    + "NOTIFY first, 'c'; NOTIFY ignored, 'x'; NOTIFY first; COMMIT");

            assertThat(List.of(recorder.next(), recorder.next(), recorder.next(), recorder.next())).containsExactly(
                    "first:a via anvil-test-listen", "Second \"quoted\":b via anvil-test-listen",
                    "first:c via anvil-test-listen", "first: via anvil-test-listen");
            synchronized (recorder) {
                assertThat(recorder.batches).hasSize(1);
            }
        }
    }

    @Test
    void aKilledBackendReconnectsAndTellsTheHandlerSo() throws Exception {
        DatabaseLocation location = SharedPostgres.newEmptyDatabase("listen_reconnect");
        Recorder recorder = new Recorder();
        try (PgNotificationListener listener = PgNotificationListener.start("anvil-test-reconnect", location,
                List.of("events"), Duration.ofMillis(200), recorder)) {
            assertThat(recorder.next()).isEqualTo("connected as anvil-test-reconnect");

            SharedPostgres.execute(database(location), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'anvil-test-reconnect' AND datname = current_database()");

            assertThat(recorder.next()).isEqualTo("reconnected as anvil-test-reconnect");
            await(listener::isListening);
            SharedPostgres.execute(database(location), "NOTIFY events, 'after'");
            assertThat(recorder.next()).isEqualTo("events:after via anvil-test-reconnect");
        }
    }

    @Test
    void aFailingHandlerIsTreatedLikeALostConnection() throws Exception {
        DatabaseLocation location = SharedPostgres.newEmptyDatabase("listen_handler_fails");
        Recorder recorder = new Recorder();
        try (PgNotificationListener listener = PgNotificationListener.start("anvil-test-fails", location,
                List.of("events"), Duration.ofMillis(200), recorder)) {
            assertThat(recorder.next()).isEqualTo("connected as anvil-test-fails");
            recorder.failNextBatch = true;

            SharedPostgres.execute(database(location), "NOTIFY events, 'lost'");

            // Whatever the failed batch held must be caught up on by the handler, as after any reconnect.
            assertThat(recorder.next()).isEqualTo("reconnected as anvil-test-fails");
            await(listener::isListening);
            SharedPostgres.execute(database(location), "NOTIFY events, 'next'");
            assertThat(recorder.next()).isEqualTo("events:next via anvil-test-fails");
        }
    }

    @Test
    void closeStopsTheLoopAndReleasesTheConnection() throws Exception {
        DatabaseLocation location = SharedPostgres.newEmptyDatabase("listen_close");
        Recorder recorder = new Recorder();
        PgNotificationListener listener = PgNotificationListener.start("anvil-test-close", location, List.of("events"),
                Duration.ofSeconds(5), recorder);
        recorder.next();
        await(listener::isListening);

        Instant started = Instant.now();
        listener.close();

        assertThat(Duration.between(started, Instant.now())).as("close does not wait out the poll").isLessThan(Duration.ofSeconds(4));
        assertThat(listener.isListening()).isFalse();
        await(() -> backends(location, "anvil-test-close") == 0);
    }

    @Test
    void waitingForAListenerThatCannotConnectTimesOut() throws Exception {
        DatabaseLocation nowhere = new DatabaseLocation("jdbc:postgresql://127.0.0.1:1/none", "postgres", "");
        try (PgNotificationListener listener = PgNotificationListener.start("anvil-test-nowhere", nowhere, List.of("events"),
                Duration.ofMillis(200), new Recorder())) {
            assertThat(listener.awaitFirstListen(Duration.ofMillis(300))).isFalse();
            assertThat(listener.isListening()).isFalse();
        }
    }

    static String database(DatabaseLocation location) {
        String url = location.jdbcUrl();
        String path = url.substring(url.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    static int backends(DatabaseLocation location, String applicationName) {
        try (Connection connection = location.openDedicated("anvil-test-probe", new java.util.Properties());
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                     + applicationName + "'")) {
            row.next();
            return row.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition met within 15 s").isBefore(deadline);
            Thread.sleep(20);
        }
    }
}
