package dev.anvil.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Contract §7: /api/secrets against a real server, and values written the way InsForge writes them. */
class SecretsApiTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("secrets_api");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpCall admin(String method, String path) {
        return server.call(method, path).header("x-api-key", server.apiKey());
    }

    @Test
    void onlyAdminsReachSecrets() {
        assertThat(server.get("/api/secrets").send().json().path("error").asText()).isEqualTo("AUTH_INVALID_CREDENTIALS");
        HttpCall.Reply anon = server.get("/api/secrets").bearer(server.anonKey()).send();
        assertThat(anon.status()).isEqualTo(403);
        assertThat(anon.json().path("message").asText()).isEqualTo("Admin access required");
        assertThat(server.get("/api/secrets").bearer(server.adminToken()).send().status()).isEqualTo(200);
    }

    @Test
    void reservedSecretsAreSeededAndListedWithoutValues() {
        JsonNode secrets = admin("GET", "/api/secrets").send().json().path("secrets");
        List<String> reserved = new ArrayList<>();
        for (JsonNode secret : secrets) {
            assertThat(secret.has("value")).isFalse();
            assertThat(secret.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "key", "isActive", "isReserved",
                    "lastUsedAt", "expiresAt", "createdAt", "updatedAt");
            if (secret.path("isReserved").asBoolean()) {
                reserved.add(secret.path("key").asText());
            }
        }
        assertThat(reserved).contains("API_KEY", "ANON_KEY", "JWT_SECRET", "JWT_PRIVATE_KEY", "JWT_PUBLIC_KEY",
                "JWT_KEY_ID", "INSFORGE_BASE_URL", "INSFORGE_INTERNAL_URL");
        assertThat(admin("GET", "/api/secrets/INSFORGE_BASE_URL").send().json().path("value").asText())
                .isEqualTo(server.anvil().baseUrl());
        assertThat(admin("GET", "/api/secrets/INSFORGE_INTERNAL_URL").send().json().path("value").asText())
                .isEqualTo("http://127.0.0.1:" + server.anvil().port());
        assertThat(admin("GET", "/api/secrets/API_KEY").send().json().path("value").asText()).isEqualTo(server.apiKey());
    }

    @Test
    void createReadUpdateDeleteAndRecreate() {
        HttpCall.Reply created = admin("POST", "/api/secrets").json(Map.of("key", "STRIPE_API_KEY", "value", "sk_test_1")).send();
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("success").asBoolean()).isTrue();
        assertThat(created.json().path("message").asText()).isEqualTo("Secret STRIPE_API_KEY has been created successfully");
        String id = created.json().path("id").asText();

        assertThat(admin("GET", "/api/secrets/STRIPE_API_KEY").send().json())
                .isEqualTo(json(Map.of("key", "STRIPE_API_KEY", "value", "sk_test_1")));
        assertThat(listed("STRIPE_API_KEY").path("lastUsedAt").isNull()).as("reading records last use").isFalse();

        HttpCall.Reply duplicate = admin("POST", "/api/secrets").json(Map.of("key", "STRIPE_API_KEY", "value", "x")).send();
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("error").asText()).isEqualTo("SECRET_ALREADY_EXISTS");
        assertThat(duplicate.json().path("message").asText()).isEqualTo("Secret already exists: STRIPE_API_KEY");

        HttpCall.Reply updated = admin("PUT", "/api/secrets/STRIPE_API_KEY").json(Map.of("value", "sk_test_2")).send();
        assertThat(updated.json()).isEqualTo(json(Map.of("success", true,
                "message", "Secret STRIPE_API_KEY has been updated successfully")));
        assertThat(admin("GET", "/api/secrets/STRIPE_API_KEY").send().json().path("value").asText()).isEqualTo("sk_test_2");

        HttpCall.Reply deleted = admin("DELETE", "/api/secrets/STRIPE_API_KEY").send();
        assertThat(deleted.json().path("message").asText()).isEqualTo("Secret STRIPE_API_KEY has been deleted successfully");
        HttpCall.Reply gone = admin("GET", "/api/secrets/STRIPE_API_KEY").send();
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").asText()).isEqualTo("SECRET_NOT_FOUND");
        assertThat(listed("STRIPE_API_KEY").path("isActive").asBoolean()).as("deletes are soft").isFalse();

        HttpCall.Reply recreated = admin("POST", "/api/secrets").json(Map.of("key", "STRIPE_API_KEY", "value", "sk_test_3")).send();
        assertThat(recreated.status()).isEqualTo(201);
        assertThat(recreated.json().path("id").asText()).as("the deleted row comes back").isEqualTo(id);
        assertThat(admin("GET", "/api/secrets/STRIPE_API_KEY").send().json().path("value").asText()).isEqualTo("sk_test_3");
    }

    @Test
    void deactivatedAndExpiredSecretsCannotBeRead() {
        admin("POST", "/api/secrets").json(Map.of("key", "SHORT_LIVED", "value", "v",
                "expiresAt", Instant.now().plusSeconds(3600).toString())).send();
        assertThat(admin("GET", "/api/secrets/SHORT_LIVED").send().status()).isEqualTo(200);
        admin("PUT", "/api/secrets/SHORT_LIVED").json(Map.of("expiresAt", Instant.now().minusSeconds(1).toString())).send();
        assertThat(admin("GET", "/api/secrets/SHORT_LIVED").send().status()).isEqualTo(404);
        admin("PUT", "/api/secrets/SHORT_LIVED").json("{\"expiresAt\": null}").send();
        assertThat(admin("GET", "/api/secrets/SHORT_LIVED").send().status()).as("expiry cleared").isEqualTo(200);
        admin("PUT", "/api/secrets/SHORT_LIVED").json(Map.of("isActive", false)).send();
        assertThat(admin("GET", "/api/secrets/SHORT_LIVED").send().status()).isEqualTo(404);
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("POST", "/api/secrets", "{}", 400, "INVALID_INPUT", "Both key and value are required"),
                Arguments.of("POST", "/api/secrets", "{\"key\":\"A\",\"value\":\"\"}", 400, "INVALID_INPUT",
                        "Both key and value are required"),
                Arguments.of("POST", "/api/secrets", "{\"key\":\"lower_case\",\"value\":\"v\"}", 400, "INVALID_INPUT",
                        "Invalid key format. Use uppercase letters, numbers, and underscores only (e.g., STRIPE_API_KEY)"),
                Arguments.of("POST", "/api/secrets", "{\"key\":\"NUMBER\",\"value\":42}", 400, "INVALID_INPUT",
                        "value: Expected string, received number"),
                Arguments.of("POST", "/api/secrets", "{\"key\":\"DATED\",\"value\":\"v\",\"expiresAt\":\"soon\"}", 400,
                        "INVALID_INPUT", "expiresAt: Invalid date (expected ISO 8601, e.g. 2030-01-01T00:00:00Z)"),
                Arguments.of("POST", "/api/secrets", "[1]", 400, "INVALID_INPUT", "Request body must be a JSON object"),
                Arguments.of("POST", "/api/secrets", "{bad json", 400, "INVALID_INPUT", null),
                Arguments.of("PUT", "/api/secrets/NOPE", "{\"value\":\"v\"}", 404, "SECRET_NOT_FOUND", "Secret not found: NOPE"),
                Arguments.of("PUT", "/api/secrets/API_KEY", "{\"value\":\"ik_x\"}", 403, "FORBIDDEN",
                        "Cannot update reserved secret: API_KEY"),
                Arguments.of("PUT", "/api/secrets/EXISTING", "{}", 400, "INVALID_INPUT",
                        "Nothing to update: send value, isActive, isReserved or expiresAt"),
                Arguments.of("PUT", "/api/secrets/EXISTING", "{\"isActive\":\"yes\"}", 400, "INVALID_INPUT",
                        "isActive: Expected boolean, received string"),
                Arguments.of("DELETE", "/api/secrets/JWT_SECRET", null, 403, "FORBIDDEN", "Cannot delete reserved secret: JWT_SECRET"),
                Arguments.of("DELETE", "/api/secrets/NOPE", null, 404, "SECRET_NOT_FOUND", "Secret not found: NOPE"),
                Arguments.of("GET", "/api/secrets/NOPE", null, 404, "SECRET_NOT_FOUND", "Secret not found: NOPE"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @MethodSource("badRequests")
    void badRequestsChangeNothing(String method, String path, String body, int status, String error, String message) {
        admin("POST", "/api/secrets").json(Map.of("key", "EXISTING", "value", "kept")).send();
        List<JsonNode> before = listWithoutTimes();
        HttpCall call = admin(method, path);
        HttpCall.Reply reply = (body == null ? call : call.json(body)).send();
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.json().path("error").asText()).isEqualTo(error);
        if (message != null) {
            assertThat(reply.json().path("message").asText()).isEqualTo(message);
        }
        assertThat(listWithoutTimes()).isEqualTo(before);
        assertThat(admin("GET", "/api/secrets/EXISTING").send().json().path("value").asText()).isEqualTo("kept");
    }

    @Test
    void aValueEncryptedByInsForgeDecrypts() {
        // Encrypted by Node's crypto exactly as InsForge's EncryptionManager does, with this server's key.
        String key = server.settings().get("ENCRYPTION_KEY");
        String legacy = insforgeEncrypt(key, "made by insforge ✓");
        String versioned = "v1:" + insforgeEncrypt(key, "versioned too");
        insertStored("FROM_INSFORGE", legacy);
        insertStored("FROM_INSFORGE_V1", versioned);
        assertThat(admin("GET", "/api/secrets/FROM_INSFORGE").send().json().path("value").asText()).isEqualTo("made by insforge ✓");
        assertThat(admin("GET", "/api/secrets/FROM_INSFORGE_V1").send().json().path("value").asText()).isEqualTo("versioned too");
        // And the other way round: what Anvil stores, InsForge's algorithm opens.
        String stored = server.anvil().database().client().execute()
                .get("SELECT value_ciphertext FROM system.secrets WHERE key = 'API_KEY'")
                .map(row -> row.column("value_ciphertext").get(String.class)).orElseThrow();
        assertThat(insforgeDecrypt(key, stored)).isEqualTo(server.apiKey());
    }

    @Test
    void withoutEncryptionKeyTheJwtSecretIsTheKeyAsInInsForge() {
        String jwtSecret = "an-insforge-jwt-secret-of-enough-length-0123456789";
        try (TestServer fallback = TestServer.start("secrets_jwt_fallback", Map.of("ENCRYPTION_KEY", "", "JWT_SECRET", jwtSecret))) {
            fallback.anvil().database().client().execute().dml(
                    "INSERT INTO system.secrets (key, value_ciphertext) VALUES ('OLD_INSTALL', ?)",
                    insforgeEncrypt(jwtSecret, "from an install without ENCRYPTION_KEY"));
            assertThat(fallback.get("/api/secrets/OLD_INSTALL").header("x-api-key", fallback.apiKey()).send()
                    .json().path("value").asText()).isEqualTo("from an install without ENCRYPTION_KEY");
        }
    }

    private static void insertStored(String key, String ciphertext) {
        server.anvil().database().client().execute()
                .dml("INSERT INTO system.secrets (key, value_ciphertext) VALUES (?, ?)", key, ciphertext);
    }

    private static JsonNode listed(String key) {
        for (JsonNode secret : admin("GET", "/api/secrets").send().json().path("secrets")) {
            if (secret.path("key").asText().equals(key)) {
                return secret;
            }
        }
        throw new AssertionError("secret " + key + " not listed");
    }

    private static List<JsonNode> listWithoutTimes() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode secret : admin("GET", "/api/secrets").send().json().path("secrets")) {
            var copy = secret.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove(List.of("lastUsedAt", "updatedAt"));
            out.add(copy);
        }
        return out;
    }

    private static JsonNode json(Object value) {
        return dev.anvil.server.http.Json.mapper().valueToTree(value);
    }

    /** InsForge's EncryptionManager.encrypt, run by Node. */
    static String insforgeEncrypt(String keyMaterial, String plaintext) {
        return node("""
                const crypto = require('crypto');
                const key = crypto.createHash('sha256').update(process.argv[1]).digest();
                const iv = crypto.randomBytes(16);
                const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
                let encrypted = cipher.update(process.argv[2], 'utf8', 'hex');
                encrypted += cipher.final('hex');
                process.stdout.write(iv.toString('hex') + ':' + cipher.getAuthTag().toString('hex') + ':' + encrypted);
                """, keyMaterial, plaintext);
    }

    /** InsForge's EncryptionManager.decrypt, run by Node. */
    static String insforgeDecrypt(String keyMaterial, String stored) {
        return node("""
                const crypto = require('crypto');
                const key = crypto.createHash('sha256').update(process.argv[1]).digest();
                const [iv, tag, data] = process.argv[2].split(':');
                const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'hex'));
                decipher.setAuthTag(Buffer.from(tag, 'hex'));
                process.stdout.write(decipher.update(data, 'hex', 'utf8') + decipher.final('utf8'));
                """, keyMaterial, stored);
    }

    private static String node(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", "-e", script));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("node failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
