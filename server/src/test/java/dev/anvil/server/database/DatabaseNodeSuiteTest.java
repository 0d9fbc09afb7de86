package dev.anvil.server.database;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** Runs server/src/test/node/database-admin.test.mjs (the SDK's HTTP client and the MCP's raw-SQL call) against a real server. */
class DatabaseNodeSuiteTest {

    @Test
    void adminClientsCreateTablesRunSqlAndReadSchemas() {
        try (TestServer server = TestServer.start("node_database")) {
            NodeSuite.run("database-admin.test.mjs", NodeSuite.environmentFor(server));
        }
    }
}
