package dev.anvil.server.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.RestartablePostgres;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * targets.md "Faults": Postgres restarted (fast shutdown: every connection cut) while clients keep
 * inserting records. The server recovers without being restarted, every insert it acknowledged
 * (201) is in the table afterwards, and what failed during the outage failed as PostgREST does —
 * 503, PostgREST's error shape, nothing else.
 */
class RecordsPostgresRestartTest {

    private static final int WRITERS = 4;
    private static final int ACKNOWLEDGED_BEFORE_RESTART = 200;
    private static final int ACKNOWLEDGED_AFTER_RESTART = 200;
    private static final long DEADLINE_NANOS = 120_000_000_000L;

    @Test
    void acknowledgedInsertsSurviveAPostgresRestartUnderLoad() throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start();
             TestServer server = TestServer.startOn(postgres.location(), Map.of())) {
            HttpCall.Reply created = server.post("/api/database/tables").header("x-api-key", server.apiKey())
                    .json("{\"tableName\":\"journal\",\"columns\":[{\"columnName\":\"n\",\"type\":\"integer\","
                            + "\"isNullable\":false,\"isUnique\":true}]}").send();
            assertThat(created.status()).as(created.toString()).isEqualTo(201);

            AtomicInteger next = new AtomicInteger();
            Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger acknowledgedAfterRestart = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
            AtomicInteger refusedDuringOutage = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writers.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        int n = next.incrementAndGet();
                        HttpCall.Reply reply;
                        try {
                            reply = server.post("/api/database/records/journal").header("x-api-key", server.apiKey())
                                    .header("Prefer", "return=minimal").json("[{\"n\":" + n + "}]").send();
                        } catch (RuntimeException e) {
                            unexpected.add("n=" + n + ": " + e);
                            continue;
                        }
                        if (reply.status() == 201) {
                            acknowledged.add(n);
                            if (restarted.get()) {
                                acknowledgedAfterRestart.incrementAndGet();
                            }
                        } else if (reply.status() == 503 && reply.json().has("code") && reply.json().has("message")) {
                            refusedDuringOutage.incrementAndGet();
                        } else {
                            unexpected.add("n=" + n + ": " + reply);
                        }
                    }
                }));
            }

            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (acknowledged.size() < ACKNOWLEDGED_BEFORE_RESTART && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            postgres.restart();
            restarted.set(true);
            while (acknowledgedAfterRestart.get() < ACKNOWLEDGED_AFTER_RESTART && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            stop.set(true);
            for (Thread writer : writers) {
                writer.join();
            }

            assertThat(unexpected).as("answers other than 201 or PostgREST's 503").isEmpty();
            assertThat(acknowledgedAfterRestart.get()).as("inserts acknowledged after the restart, same server")
                    .isGreaterThanOrEqualTo(ACKNOWLEDGED_AFTER_RESTART);
            Set<Integer> stored = rows(postgres.location());
            Set<Integer> lost = new HashSet<>(acknowledged);
            lost.removeAll(stored);
            assertThat(lost).as("acknowledged inserts missing from the table").isEmpty();
            System.out.printf("acknowledged %d inserts (%d after the restart), %d refused with 503 during the outage%n",
                    acknowledged.size(), acknowledgedAfterRestart.get(), refusedDuringOutage.get());
        }
    }

    private static Set<Integer> rows(DatabaseLocation location) throws SQLException {
        Set<Integer> rows = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(location.jdbcUrl(), location.user(), location.password());
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT n FROM public.journal")) {
            while (result.next()) {
                rows.add(result.getInt(1));
            }
        }
        return rows;
    }
}
