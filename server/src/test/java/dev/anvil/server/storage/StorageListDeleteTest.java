package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.PercentEncoding;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Listing and deleting (contract §4.2), on both providers: {@code GET …/objects} with prefix,
 * search, limit and offset and the contract's item shape; {@code DELETE …/objects/<key>} and
 * {@code DELETE …/objects} with {@code {keys}}, checked down to the provider's bytes.
 */
class StorageListDeleteTest extends StorageBehaviour {

    static final List<String> KEYS = List.of("a.txt", "docs/2024/report.pdf", "docs/2025/report.pdf", "docs/notes.txt",
            "docs_archive/old.txt", "docsXarchive/other.txt", "100%/done.txt", "z.bin");

    static String bucketWithKeys(StorageFixture f) {
        String bucket = f.newBucket(false);
        for (String key : KEYS) {
            HttpCall.Reply put = f.put(bucket, PercentEncoding.encodeUriComponent(key), key.getBytes(StandardCharsets.UTF_8), f.apiKey());
            assertThat(put.status()).as(put.toString()).isEqualTo(200);
        }
        return bucket;
    }

    static JsonNode list(StorageFixture f, String bucket, String query, String credential) {
        HttpCall.Reply reply = f.call("GET", "/api/storage/buckets/" + bucket + "/objects" + query).bearer(credential).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }

    static List<String> keys(JsonNode page) {
        return StreamSupport.stream(page.get("data").spliterator(), false).map(item -> item.get("key").asText()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void listsInKeyOrderWithTheContractsItemShape(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        JsonNode page = list(f, bucket, "", f.newUserToken());
        assertThat(keys(page)).hasSize(KEYS.size());
        assertThat(page.get("pagination").toString()).isEqualTo("{\"offset\":0,\"limit\":100,\"total\":8}");
        assertThat(page.get("nextActions").asText()).isNotBlank();

        JsonNode item = StreamSupport.stream(page.get("data").spliterator(), false)
                .filter(i -> i.get("key").asText().equals("docs/notes.txt")).findFirst().orElseThrow();
        assertThat(item.fieldNames()).toIterable().containsExactly("bucket", "key", "size", "mime_type", "uploaded_at",
                "uploaded_by", "uploaded_via", "s3_access_key_id", "etag", "mimeType", "uploadedAt", "url");
        assertThat(item.get("bucket").asText()).isEqualTo(bucket);
        assertThat(item.get("size").asInt()).isEqualTo("docs/notes.txt".length());
        assertThat(item.get("mime_type").asText()).isEqualTo("text/plain");
        assertThat(item.get("mimeType").asText()).isEqualTo("text/plain");
        assertThat(item.get("uploadedAt").asText()).isEqualTo(item.get("uploaded_at").asText());
        assertThat(item.get("uploaded_by").isNull()).as("the API key is no user").isTrue();
        assertThat(item.get("url").asText()).startsWith(f.server().anvil().baseUrl()
                + "/api/storage/buckets/" + bucket + "/objects/docs%2Fnotes.txt?v=");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void prefixIsLiteralAndSearchIsASubstring(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        String token = f.apiKey();
        assertThat(keys(list(f, bucket, "?prefix=docs/", token)))
                .containsExactlyInAnyOrder("docs/2024/report.pdf", "docs/2025/report.pdf", "docs/notes.txt");
        assertThat(keys(list(f, bucket, "?prefix=docs_", token))).as("_ is no wildcard").containsExactly("docs_archive/old.txt");
        assertThat(keys(list(f, bucket, "?prefix=100%25", token))).as("% is no wildcard").containsExactly("100%/done.txt");
        assertThat(keys(list(f, bucket, "?search=report", token))).containsExactlyInAnyOrder("docs/2024/report.pdf", "docs/2025/report.pdf");
        assertThat(keys(list(f, bucket, "?prefix=docs/&search=2025", token))).containsExactly("docs/2025/report.pdf");
        assertThat(keys(list(f, bucket, "?search=nothing-like-this", token))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void limitAndOffsetPage(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        List<String> all = keys(list(f, bucket, "", f.apiKey()));
        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < all.size(); offset += 3) {
            JsonNode page = list(f, bucket, "?limit=3&offset=" + offset, f.apiKey());
            assertThat(page.get("pagination").get("total").asInt()).isEqualTo(8);
            assertThat(page.get("pagination").get("limit").asInt()).isEqualTo(3);
            paged.addAll(keys(page));
        }
        assertThat(paged).isEqualTo(all);
        assertThat(list(f, bucket, "?limit=5000", f.apiKey()).get("pagination").get("limit").asInt()).as("capped").isEqualTo(1000);
        assertThat(keys(list(f, bucket, "?offset=100", f.apiKey()))).isEmpty();
        for (String bad : new String[] {"?limit=abc", "?limit=0", "?offset=-1"}) {
            HttpCall.Reply reply = f.call("GET", "/api/storage/buckets/" + bucket + "/objects" + bad).bearer(f.apiKey()).send();
            assertThat(reply.status()).as(bad).isEqualTo(400);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void listRefusals(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        assertThat(f.call("GET", "/api/storage/buckets/" + bucket + "/objects").send().status()).isEqualTo(401);
        HttpCall.Reply anon = f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.server().anonKey()).send();
        assertThat(anon.status()).isEqualTo(403);
        assertThat(anon.json().get("error").asText()).isEqualTo("FORBIDDEN");
        assertThat(f.call("GET", "/api/storage/buckets/nope/objects").bearer(f.apiKey()).send().json().get("error").asText())
                .isEqualTo("STORAGE_NOT_FOUND");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void deleteOneRemovesRowAndBytes(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        String path = "/api/storage/buckets/" + bucket + "/objects/docs%2Fnotes.txt";
        assertThat(f.call("DELETE", path).send().status()).isEqualTo(401);
        assertThat(f.call("DELETE", path).bearer(f.server().anonKey()).send().status()).isEqualTo(403);

        HttpCall.Reply deleted = f.call("DELETE", path).bearer(f.newUserToken()).send();
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().toString()).isEqualTo("{\"message\":\"Object deleted successfully\"}");
        assertThat(f.get(bucket, "docs%2Fnotes.txt", f.apiKey()).status()).isEqualTo(404);
        assertThat(f.storedKeys(bucket)).doesNotContain("docs/notes.txt").contains("docs/2024/report.pdf");

        HttpCall.Reply again = f.call("DELETE", path).bearer(f.apiKey()).send();
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("error").asText()).isEqualTo("STORAGE_NOT_FOUND");
        assertThat(f.call("DELETE", "/api/storage/buckets/" + bucket + "/objects/..%2Fx").bearer(f.apiKey()).send().status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aDeletedFolderCanBecomeAnObject(StorageFixture f) {
        String bucket = f.newBucket(true);
        assertThat(f.put(bucket, "x%2Fy%2Fz.txt", "deep".getBytes(StandardCharsets.UTF_8), f.apiKey()).status()).isEqualTo(200);
        assertThat(f.call("DELETE", "/api/storage/buckets/" + bucket + "/objects/x%2Fy%2Fz.txt").bearer(f.apiKey()).send().status())
                .isEqualTo(200);
        assertThat(f.put(bucket, "x", "now a file".getBytes(StandardCharsets.UTF_8), f.apiKey()).status()).isEqualTo(200);
        assertThat(f.get(bucket, "x", null).text()).isEqualTo("now a file");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void deleteManyReportsEachKey(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        HttpCall.Reply reply = f.call("DELETE", "/api/storage/buckets/" + bucket + "/objects").bearer(f.newUserToken())
                .json(Map.of("keys", List.of("a.txt", "docs/2024/report.pdf", "missing.txt", "../escape", "a.txt"))).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(5);
        assertThat(results.get(0).toString()).isEqualTo("{\"key\":\"a.txt\",\"status\":\"deleted\"}");
        assertThat(results.get(1).get("status").asText()).isEqualTo("deleted");
        assertThat(results.get(2).get("status").asText()).isEqualTo("notFound");
        assertThat(results.get(3).get("status").asText()).isEqualTo("failed");
        assertThat(results.get(3).get("message").asText()).contains("..");
        assertThat(results.get(4).get("status").asText()).isEqualTo("notFound");
        assertThat(f.storedKeys(bucket)).doesNotContain("a.txt", "docs/2024/report.pdf").hasSize(KEYS.size() - 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void deleteManyValidatesTheBody(StorageFixture f) {
        String bucket = bucketWithKeys(f);
        String path = "/api/storage/buckets/" + bucket + "/objects";
        List<String> tooMany = IntStream.range(0, 1001).mapToObj(i -> "k" + i).toList();
        for (Object body : new Object[] {Map.of(), Map.of("keys", List.of()), Map.of("keys", "a.txt"), Map.of("keys", List.of(1)),
                Map.of("keys", tooMany), "{not json"}) {
            HttpCall.Reply reply = f.call("DELETE", path).bearer(f.apiKey()).json(body).send();
            assertThat(reply.status()).as(String.valueOf(body).substring(0, Math.min(40, String.valueOf(body).length()))).isEqualTo(400);
        }
        HttpCall.Reply anon = f.call("DELETE", path).bearer(f.server().anonKey()).json(Map.of("keys", List.of("a.txt"))).send();
        assertThat(anon.status()).isEqualTo(403);
        assertThat(f.storedKeys(bucket)).hasSize(KEYS.size());
    }
}
