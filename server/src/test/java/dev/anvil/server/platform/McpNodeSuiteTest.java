package dev.anvil.server.platform;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Runs server/src/test/node/mcp.test.mjs: the official {@code @insforge/mcp} 1.2.11 stdio server,
 * spawned unchanged with {@code --api_key} and {@code --api_base_url}, driven by an MCP client.
 */
class McpNodeSuiteTest {

    @Test
    void officialMcpServerWorksAgainstAnvil() {
        try (TestServer server = TestServer.start("node_mcp")) {
            NodeSuite.run("mcp.test.mjs", NodeSuite.environmentFor(server));
        }
    }
}
