package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bucket administration and the storage config (contract §4.1), on both providers: list, create,
 * change visibility, delete (with the bytes), {@code GET/PUT /api/storage/config}, and the refusals —
 * non-admins, bad names, duplicates, unknown buckets, invalid bodies.
 */
class StorageBucketsTest extends StorageBehaviour {

    static HttpCall.Reply create(StorageFixture f, Object body) {
        return f.call("POST", "/api/storage/buckets").bearer(f.apiKey()).json(body).send();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void createListPatchDelete(StorageFixture f) {
        HttpCall.Reply created = create(f, Map.of("bucketName", "avatars_" + f.provider()));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("message").asText()).isEqualTo("Bucket created successfully");
        assertThat(created.json().get("bucketName").asText()).isEqualTo("avatars_" + f.provider());
        assertThat(created.json().get("isPublic").asBoolean()).as("public by default").isTrue();
        assertThat(created.json().get("nextActions").asText()).contains("PUBLIC");
        HttpCall.Reply privateOne = create(f, Map.of("bucketName", "Private-1", "isPublic", false));
        assertThat(privateOne.json().get("isPublic").asBoolean()).isFalse();

        JsonNode list = f.call("GET", "/api/storage/buckets").bearer(f.server().adminToken()).send().json();
        assertThat(list.isArray()).isTrue();
        JsonNode avatars = find(list, "avatars_" + f.provider());
        assertThat(avatars.fieldNames()).toIterable().containsExactly("name", "public", "createdAt");
        assertThat(avatars.get("public").asBoolean()).isTrue();
        assertThat(avatars.get("createdAt").asText()).matches("\\d{4}-.*Z");
        assertThat(find(list, "Private-1").get("public").asBoolean()).isFalse();

        HttpCall.Reply patched = f.call("PATCH", "/api/storage/buckets/avatars_" + f.provider()).bearer(f.apiKey())
                .json(Map.of("isPublic", false)).send();
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("message").asText()).isEqualTo("Bucket visibility updated");
        assertThat(patched.json().get("bucket").asText()).isEqualTo("avatars_" + f.provider());
        assertThat(patched.json().get("isPublic").asBoolean()).isFalse();
        assertThat(find(f.call("GET", "/api/storage/buckets").bearer(f.apiKey()).send().json(), "avatars_" + f.provider())
                .get("public").asBoolean()).isFalse();

        HttpCall.Reply deleted = f.call("DELETE", "/api/storage/buckets/Private-1").bearer(f.apiKey()).send();
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("Bucket deleted successfully");
        assertThat(f.call("GET", "/api/storage/buckets").bearer(f.apiKey()).send().json().findValuesAsText("name"))
                .doesNotContain("Private-1");
    }

    static JsonNode find(JsonNode buckets, String name) {
        for (JsonNode bucket : buckets) {
            if (bucket.get("name").asText().equals(name)) {
                return bucket;
            }
        }
        throw new AssertionError("no bucket " + name + " in " + buckets);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void visibilityChangesWhoCanDownload(StorageFixture f) {
        String bucket = f.newBucket(true);
        f.put(bucket, "a.txt", "hi".getBytes(StandardCharsets.UTF_8), f.apiKey());
        assertThat(f.get(bucket, "a.txt", null).status()).isEqualTo(200);
        f.call("PATCH", "/api/storage/buckets/" + bucket).bearer(f.apiKey()).json(Map.of("isPublic", false)).send();
        assertThat(f.get(bucket, "a.txt", null).status()).isEqualTo(401);
        f.call("PATCH", "/api/storage/buckets/" + bucket).bearer(f.apiKey()).json(Map.of("isPublic", true)).send();
        assertThat(f.get(bucket, "a.txt", null).status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void deletingABucketDeletesItsObjectsAndBytes(StorageFixture f) {
        String bucket = f.newBucket(true);
        for (String key : new String[] {"a.txt", "deep%2Fer%2Fb.txt"}) {
            assertThat(f.put(bucket, key, "bytes".getBytes(StandardCharsets.UTF_8), f.apiKey()).status()).isEqualTo(200);
        }
        assertThat(f.storedKeys(bucket)).hasSize(2);
        assertThat(f.call("DELETE", "/api/storage/buckets/" + bucket).bearer(f.apiKey()).send().status()).isEqualTo(200);
        assertThat(f.storedKeys(bucket)).isEmpty();

        // The same name again is a new, empty bucket.
        assertThat(create(f, Map.of("bucketName", bucket)).status()).isEqualTo(201);
        assertThat(f.get(bucket, "a.txt", null).status()).isEqualTo(404);
        assertThat(f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.apiKey()).send().json()
                .get("pagination").get("total").asInt()).isZero();
    }

    /** A refused admin request and what it must answer. */
    record Refusal(String name, int status, String code, Function<StorageFixture, HttpCall.Reply> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("list without credential", 401, "AUTH_INVALID_CREDENTIALS", f -> f.call("GET", "/api/storage/buckets").send()),
                new Refusal("list as user", 403, "AUTH_UNAUTHORIZED", f -> f.call("GET", "/api/storage/buckets").bearer(f.newUserToken()).send()),
                new Refusal("list as anon", 403, "AUTH_UNAUTHORIZED", f -> f.call("GET", "/api/storage/buckets").bearer(f.server().anonKey()).send()),
                new Refusal("create as user", 403, "AUTH_UNAUTHORIZED", f -> f.call("POST", "/api/storage/buckets").bearer(f.newUserToken())
                        .json(Map.of("bucketName", "mine")).send()),
                new Refusal("create without name", 400, "STORAGE_INVALID_PARAMETER", f -> create(f, Map.of("isPublic", true))),
                new Refusal("create with a bad name", 400, "STORAGE_INVALID_PARAMETER", f -> create(f, Map.of("bucketName", "../etc"))),
                new Refusal("create with a dotted name", 400, "STORAGE_INVALID_PARAMETER", f -> create(f, Map.of("bucketName", ".staging"))),
                new Refusal("create with a space", 400, "STORAGE_INVALID_PARAMETER", f -> create(f, Map.of("bucketName", "my bucket"))),
                new Refusal("create with a number as name", 400, "STORAGE_INVALID_PARAMETER", f -> create(f, Map.of("bucketName", 42))),
                new Refusal("create with isPublic a string", 400, "STORAGE_INVALID_PARAMETER", f -> create(f, Map.of("bucketName", "x1", "isPublic", "yes"))),
                new Refusal("create with invalid JSON", 400, "INVALID_INPUT", f -> create(f, "{\"bucketName\":")),
                new Refusal("create a duplicate", 409, "STORAGE_ALREADY_EXISTS", f -> {
                    create(f, Map.of("bucketName", "dup"));
                    return create(f, Map.of("bucketName", "dup"));
                }),
                new Refusal("patch an unknown bucket", 404, "STORAGE_NOT_FOUND", f -> f.call("PATCH", "/api/storage/buckets/nope")
                        .bearer(f.apiKey()).json(Map.of("isPublic", true)).send()),
                new Refusal("patch without isPublic", 400, "STORAGE_INVALID_PARAMETER", f -> f.call("PATCH", "/api/storage/buckets/"
                        + f.newBucket(true)).bearer(f.apiKey()).json(Map.of()).send()),
                new Refusal("patch as user", 403, "AUTH_UNAUTHORIZED", f -> f.call("PATCH", "/api/storage/buckets/" + f.newBucket(true))
                        .bearer(f.newUserToken()).json(Map.of("isPublic", false)).send()),
                new Refusal("delete an unknown bucket", 404, "STORAGE_NOT_FOUND", f -> f.call("DELETE", "/api/storage/buckets/nope")
                        .bearer(f.apiKey()).send()),
                new Refusal("delete a bad name", 400, "STORAGE_INVALID_PARAMETER", f -> f.call("DELETE", "/api/storage/buckets/a.b")
                        .bearer(f.apiKey()).send()),
                new Refusal("delete as user", 403, "AUTH_UNAUTHORIZED", f -> f.call("DELETE", "/api/storage/buckets/" + f.newBucket(true))
                        .bearer(f.newUserToken()).send()),
                new Refusal("config as user", 403, "AUTH_UNAUTHORIZED", f -> f.call("GET", "/api/storage/config").bearer(f.newUserToken()).send()),
                new Refusal("config above 200", 400, "INVALID_INPUT", f -> f.call("PUT", "/api/storage/config").bearer(f.apiKey())
                        .json(Map.of("maxFileSizeMb", 201)).send()),
                new Refusal("config below 1", 400, "INVALID_INPUT", f -> f.call("PUT", "/api/storage/config").bearer(f.apiKey())
                        .json(Map.of("maxFileSizeMb", 0)).send()),
                new Refusal("config as a string", 400, "INVALID_INPUT", f -> f.call("PUT", "/api/storage/config").bearer(f.apiKey())
                        .json(Map.of("maxFileSizeMb", "10")).send()),
                new Refusal("config with a fraction", 400, "INVALID_INPUT", f -> f.call("PUT", "/api/storage/config").bearer(f.apiKey())
                        .json(Map.of("maxFileSizeMb", 10.5)).send()),
                new Refusal("config without the field", 400, "INVALID_INPUT", f -> f.call("PUT", "/api/storage/config").bearer(f.apiKey())
                        .json(Map.of()).send()));
    }

    Stream<Arguments> refusalsOnBoth() {
        return providers().flatMap(f -> refusals().map(r -> Arguments.of(f, r)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusalsOnBoth")
    void refusals(StorageFixture f, Refusal refusal) {
        HttpCall.Reply reply = refusal.request().apply(f);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(refusal.status());
        assertThat(reply.json().get("error").asText()).isEqualTo(refusal.code());
        assertThat(reply.json().get("statusCode").asInt()).isEqualTo(refusal.status());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void configReadsAndUpdatesTheUploadLimit(StorageFixture f) {
        JsonNode config = f.call("GET", "/api/storage/config").bearer(f.apiKey()).send().json();
        assertThat(config.fieldNames()).toIterable().containsExactly("id", "maxFileSizeMb", "createdAt", "updatedAt");
        assertThat(config.get("maxFileSizeMb").asInt()).isEqualTo(50);

        Map<String, Object> body = new HashMap<>();
        body.put("maxFileSizeMb", 1);
        HttpCall.Reply updated = f.call("PUT", "/api/storage/config").bearer(f.apiKey()).json(body).send();
        try {
            assertThat(updated.status()).isEqualTo(200);
            assertThat(updated.json().get("maxFileSizeMb").asInt()).isEqualTo(1);
            assertThat(updated.json().get("id").asText()).isEqualTo(config.get("id").asText());
            String bucket = f.newBucket(true);
            assertThat(f.put(bucket, "big", new byte[1024 * 1024 + 1], f.apiKey()).status()).isEqualTo(413);
            assertThat(f.put(bucket, "ok", new byte[1024 * 1024], f.apiKey()).status()).isEqualTo(200);
        } finally {
            f.call("PUT", "/api/storage/config").bearer(f.apiKey()).json(Map.of("maxFileSizeMb", 50)).send();
        }
    }
}
