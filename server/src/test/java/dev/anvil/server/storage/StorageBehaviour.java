package dev.anvil.server.storage;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the behaviour suites that run every test against both providers: a server on local disk
 * and one on S3 (S3Proxy) for the whole class, handed to {@code @MethodSource("providers")} tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StorageBehaviour {

    private List<StorageFixture> fixtures;

    @BeforeAll
    void startServers() {
        fixtures = StorageFixture.both(getClass().getSimpleName().replace("Storage", "").replace("Test", "").toLowerCase());
    }

    @AfterAll
    void stopServers() {
        fixtures.forEach(StorageFixture::close);
    }

    Stream<StorageFixture> providers() {
        return fixtures.stream();
    }
}
