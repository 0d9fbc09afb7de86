package dev.anvil.server.storage;

import java.util.HashMap;
import java.util.Map;

import dev.anvil.server.testing.NodeSuite;
import org.junit.jupiter.api.Test;

/**
 * Runs server/src/test/node/storage.test.mjs — the official {@code @insforge/sdk} 1.5.2 storage
 * module, unchanged — against a server on each provider, including S3 in presigned mode (the SDK
 * then posts the file to S3 itself and confirms).
 */
class StorageNodeSuiteTest {

    @Test
    void officialSdkOnLocalStorage() {
        run(StorageFixture.local("node_storage"), "local");
    }

    @Test
    void officialSdkOnS3() {
        run(StorageFixture.s3("node_storage"), "s3");
    }

    @Test
    void officialSdkOnPresignedS3() {
        run(StorageFixture.s3("node_storage_presigned", Map.of("ANVIL_S3_PRESIGNED", "true")), "presigned");
    }

    private static void run(StorageFixture fixture, String mode) {
        try {
            Map<String, String> environment = new HashMap<>(NodeSuite.environmentFor(fixture.server()));
            environment.put("ANVIL_USER_TOKEN", fixture.newUserToken());
            environment.put("STORAGE_MODE", mode);
            NodeSuite.run("storage.test.mjs", environment);
        } finally {
            fixture.close();
        }
    }
}
