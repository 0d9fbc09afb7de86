package dev.anvil.server.platform;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** Runs server/src/test/node/platform.test.mjs (the official SDK) against a real server. */
class PlatformNodeSuiteTest {

    @Test
    void officialSdkSeesHealthAndErrorShapes() {
        try (TestServer server = TestServer.start("node_platform")) {
            NodeSuite.run("platform.test.mjs", NodeSuite.environmentFor(server));
        }
    }
}
