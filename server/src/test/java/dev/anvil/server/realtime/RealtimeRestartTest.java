package dev.anvil.server.realtime;

import java.util.HashMap;
import java.util.Map;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.RestartablePostgres;
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

    private static RestartablePostgres postgres;
    private static TestServer server;
    private static TestHooks hooks;

    @BeforeAll
    static void start() {
        postgres = RestartablePostgres.start();
        server = TestServer.startOn(postgres.location(), Map.of());
        hooks = new TestHooks().sql(server.database()).hook("restart-postgres", body -> {
            postgres.restart();
            return "{}";
        });
    }

    @AfterAll
    static void stop() {
        hooks.close();
        server.close();
        postgres.close();
    }

    @Test
    void deliveryResumesAfterPostgresRestarts() {
        Map<String, String> env = new HashMap<>(NodeSuite.environmentFor(server));
        env.put("HOOKS_URL", hooks.url());
        System.out.println(NodeSuite.run("realtime-restart.test.mjs", env));
    }
}
