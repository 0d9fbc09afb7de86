package dev.anvil.server.realtime;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the realtime Node suites — socket.io-client 4.8 and the official SDK's realtime module —
 * against two Anvil replicas on one database.
 */
class RealtimeNodeSuiteTest {

    private static TestServer server;
    private static TestServer replica;
    private static TestHooks hooks;

    @BeforeAll
    static void start() {
        Map<String, String> settings = Map.of("ANVIL_REALTIME_PRESENCE_HEARTBEAT_MS", "2000");
        server = TestServer.start("realtime_node", settings);
        replica = server.replica(settings);
        hooks = new TestHooks().sql(server.database());
    }

    @AfterAll
    static void stop() {
        hooks.close();
        replica.close();
        server.close();
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(NodeSuite.environmentFor(server));
        env.put("ANVIL_URL_2", replica.baseUrl());
        env.put("HOOKS_URL", hooks.url());
        String userA = UUID.randomUUID().toString();
        String userB = UUID.randomUUID().toString();
        env.put("USER_A_ID", userA);
        env.put("USER_A_TOKEN", server.userToken(userA, "a@example.com"));
        env.put("USER_B_ID", userB);
        env.put("USER_B_TOKEN", server.userToken(userB, "b@example.com"));
        return env;
    }

    @Test
    void socketIoClientAcrossTwoReplicas() {
        System.out.println(NodeSuite.run("realtime.test.mjs", environment()));
    }

    @Test
    void officialSdkRealtimeModule() {
        System.out.println(NodeSuite.run("realtime-sdk.test.mjs", environment()));
    }
}
