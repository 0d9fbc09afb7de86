package dev.anvil.server.records;

import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A real server with the films database for one test class, called with the admin key by default. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FilmsServerTest {

    TestServer server;
    Api api;

    @BeforeAll
    void startServer() {
        server = TestServer.start(getClass().getSimpleName());
        FilmsDatabase.create(server);
        api = new Api(server, server.apiKey());
    }

    @AfterAll
    void stopServer() {
        server.close();
    }
}
