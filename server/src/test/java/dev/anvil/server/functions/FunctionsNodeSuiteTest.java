package dev.anvil.server.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** Runs server/src/test/node/functions.test.mjs (the official SDK's functions.invoke) against a real server and real Deno. */
class FunctionsNodeSuiteTest {

    @Test
    void officialSdkInvokesFunctions() throws IOException {
        // A fixed port rather than 0, so the direct listener's URL stays the same across the runtime restart the suite causes.
        String directPort = Integer.toString(FunctionDirectListenerTest.freePort());
        try (TestServer server = TestServer.start("node_functions", Map.of("WORKER_TIMEOUT_MS", "2000",
                "ANVIL_FUNCTIONS_PORT", directPort))) {
            // The suite kills the runtime host mid-invocation, so it needs the host running and its pid.
            assertThat(server.post("/api/functions").header("x-api-key", server.apiKey())
                    .json(Map.of("name", "warm-up", "code", "module.exports = async () => new Response('ok')"))
                    .send().status()).isEqualTo(201);
            long pid = server.anvil().functions().runtime().localPid().orElseThrow();
            Map<String, String> environment = new HashMap<>(NodeSuite.environmentFor(server));
            environment.put("ANVIL_DENO_PID", Long.toString(pid));
            environment.put("ANVIL_FUNCTIONS_PORT", directPort);
            System.out.println(NodeSuite.run("functions.test.mjs", environment));
            assertThat(server.anvil().functions().runtime().localPid()).isPresent().isNotEqualTo(pid);
        }
    }
}
