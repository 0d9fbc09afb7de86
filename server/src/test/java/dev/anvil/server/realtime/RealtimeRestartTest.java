package dev.anvil.server.realtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.anvil.server.db.EmbeddedDatabase;
import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Realtime survives its database going away: a Postgres of its own (not the shared one other test
 * classes use) is stopped with a fast shutdown and started again on the same port and data while
 * a socket.io-client stays connected; delivery resumes without restarting Anvil. Also: a killed
 * LISTEN backend ({@code pg_terminate_backend}) reconnects and nothing is delivered twice.
 */
class RealtimeRestartTest {

    private static Path dataDir;
    private static int port;
    private static EmbeddedDatabase postgres;
    private static TestServer server;
    private static TestHooks hooks;

    @BeforeAll
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("anvil-restart-pg");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        postgres = EmbeddedDatabase.start(dataDir, port);
        server = TestServer.startOn(postgres.location(), Map.of());
        hooks = new TestHooks().sql(server.database()).hook("restart-postgres", body -> {
            restartPostgres();
            return "{}";
        });
    }

    @AfterAll
    static void stop() {
        hooks.close();
        server.close();
        postgres.close();
    }

    /** Fast shutdown (SIGINT): connected clients are cut off, as in a real restart or failover. */
    private static synchronized void restartPostgres() {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
            new ProcessBuilder("kill", "-INT", String.valueOf(pid)).inheritIO().start().waitFor();
            ProcessHandle.of(pid).ifPresent(process -> process.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            postgres.close();
            postgres = EmbeddedDatabase.start(dataDir, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void deliveryResumesAfterPostgresRestarts() {
        Map<String, String> env = new HashMap<>(NodeSuite.environmentFor(server));
        env.put("HOOKS_URL", hooks.url());
        System.out.println(NodeSuite.run("realtime-restart.test.mjs", env));
    }
}
