package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.MultipartBody;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Uploads (contract §4.2), on both providers: {@code PUT …/objects/<key>} (create or replace),
 * {@code POST …/objects} (generated key), {@code POST …/upload-strategy}, the StorageFile shape,
 * MIME detection, and every refused upload — with proof that a refused upload wrote nothing.
 */
class StorageUploadTest extends StorageBehaviour {

    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1};

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void putCreatesTheObjectAndAnswersAStorageFile(StorageFixture f) {
        String bucket = f.newBucket(true);
        String user = f.newUser();
        byte[] content = random(70_000);
        HttpCall.Reply reply = f.put(bucket, "docs%2Freport%202026.bin", content, f.userToken(user));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode file = reply.json();
        assertThat(file.get("bucket").asText()).isEqualTo(bucket);
        assertThat(file.get("key").asText()).isEqualTo("docs/report 2026.bin");
        assertThat(file.get("size").asLong()).isEqualTo(70_000);
        assertThat(file.get("mimeType").asText()).isEqualTo("application/octet-stream");
        assertThat(file.get("uploadedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(file.get("url").asText()).startsWith(f.server().anvil().baseUrl()
                + "/api/storage/buckets/" + bucket + "/objects/docs%2Freport%202026.bin?v=");
        assertThat(f.get(bucket, "docs%2Freport%202026.bin", null).bytes()).isEqualTo(content);
        assertThat(f.storedKeys(bucket)).containsExactly("docs/report 2026.bin");
        assertThat(f.stagingLeftovers()).isEmpty();

        JsonNode row = f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.apiKey()).send().json().get("data").get(0);
        assertThat(row.get("uploaded_by").asText()).isEqualTo(user);
        assertThat(row.get("uploaded_via").asText()).isEqualTo("rest");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void putReplacesTheObjectAndKeepsTheUploader(StorageFixture f) {
        String bucket = f.newBucket(false);
        String first = f.newUser();
        String second = f.newUser();
        assertThat(f.put(bucket, "a.txt", "first version".getBytes(StandardCharsets.UTF_8), f.userToken(first)).status()).isEqualTo(200);
        HttpCall.Reply replaced = f.put(bucket, "a.txt", "second, longer version".getBytes(StandardCharsets.UTF_8), f.userToken(second));

        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().get("size").asInt()).isEqualTo(22);
        assertThat(f.get(bucket, "a.txt", f.apiKey()).text()).isEqualTo("second, longer version");
        JsonNode list = f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.apiKey()).send().json();
        assertThat(list.get("pagination").get("total").asInt()).isEqualTo(1);
        assertThat(list.get("data").get(0).get("uploaded_by").asText()).as("uploaded_by kept on replace").isEqualTo(first);
        assertThat(f.storedKeys(bucket)).containsExactly("a.txt");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void postUploadsUnderAGeneratedKey(StorageFixture f) {
        String bucket = f.newBucket(true);
        HttpCall.Reply reply = f.call("POST", "/api/storage/buckets/" + bucket + "/objects").bearer(f.newUserToken())
                .body(MultipartBody.file(PNG, "Holiday photo.png", "image/png").contentType(),
                        MultipartBody.file(PNG, "Holiday photo.png", "image/png").bytes())
                .send();

        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        String key = reply.json().get("key").asText();
        assertThat(key).matches("Holiday-photo-\\d{13}-[0-9a-z]{6}\\.png");
        assertThat(reply.json().get("mimeType").asText()).isEqualTo("image/png");
        assertThat(f.storedKeys(bucket)).containsExactly(key);
    }

    static Stream<Arguments> sniffed() {
        return Stream.of(
                Arguments.of("png named .txt", "pic.txt", PNG, "image/png"),
                Arguments.of("pdf", "paper.pdf", "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj".getBytes(StandardCharsets.ISO_8859_1), "application/pdf"),
                Arguments.of("plain text", "notes.txt", "just some words\n".getBytes(StandardCharsets.UTF_8), "text/plain"),
                Arguments.of("csv by extension", "table.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8), "text/csv"),
                Arguments.of("html", "page.html", "<!DOCTYPE html><html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8), "application/octet-stream"),
                Arguments.of("html disguised as png", "evil.png", "<html><body onload=alert(1)>".getBytes(StandardCharsets.UTF_8), "application/octet-stream"),
                Arguments.of("svg", "logo.svg", "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".getBytes(StandardCharsets.UTF_8), "application/octet-stream"),
                Arguments.of("javascript", "app.js", "window.location='https://evil.example'".getBytes(StandardCharsets.UTF_8), "application/octet-stream"),
                Arguments.of("xml", "data.xml", "<?xml version=\"1.0\"?><root/>".getBytes(StandardCharsets.UTF_8), "application/octet-stream"));
    }

    Stream<Arguments> sniffedOnBoth() {
        return providers().flatMap(f -> sniffed().map(a -> Arguments.of(f, a.get()[0], a.get()[1], a.get()[2], a.get()[3])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sniffedOnBoth")
    void theTypeComesFromTheBytesNotTheClient(StorageFixture f, String description, String fileName, byte[] content, String expected) {
        String bucket = f.newBucket(true);
        HttpCall.Reply reply = f.put(bucket, fileName, MultipartBody.file(content, fileName, "image/jpeg"), f.apiKey());
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("mimeType").asText()).isEqualTo(expected);
        HttpCall.Reply download = f.get(bucket, fileName, null);
        assertThat(download.header("Content-Type").orElseThrow()).startsWith(expected);
        assertThat(download.header("X-Content-Type-Options")).contains("nosniff");
        if (expected.equals("application/octet-stream")) {
            assertThat(download.header("Content-Disposition").orElseThrow()).startsWith("attachment");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void uploadStrategyIsDirectWithTheExactKey(StorageFixture f) {
        String bucket = f.newBucket(true);
        HttpCall.Reply reply = f.call("POST", "/api/storage/buckets/" + bucket + "/upload-strategy").bearer(f.newUserToken())
                .json(Map.of("filename", "photos/cat 1.png", "contentType", "image/png", "size", 1234)).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode strategy = reply.json();
        assertThat(strategy.get("method").asText()).isEqualTo("direct");
        assertThat(strategy.get("key").asText()).isEqualTo("photos/cat 1.png");
        assertThat(strategy.get("confirmRequired").asBoolean()).isFalse();
        assertThat(strategy.get("uploadUrl").asText())
                .isEqualTo(f.server().anvil().baseUrl() + "/api/storage/buckets/" + bucket + "/objects/photos%2Fcat%201.png");
    }

    /** A refused request: its status, error code, and that nothing reached the provider or the table. */
    record Refusal(String name, int status, String code, java.util.function.BiFunction<StorageFixture, String, HttpCall.Reply> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static HttpCall.Reply rawPut(StorageFixture f, String bucket, String rawKey, String contentType, byte[] body, String credential) {
        HttpCall call = f.call("PUT", "/api/storage/buckets/" + bucket + "/objects/" + rawKey).body(contentType, body);
        return (credential == null ? call : call.bearer(credential)).send();
    }

    static final byte[] SMALL = "hello".getBytes(StandardCharsets.UTF_8);

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("traversal ..", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "..%2F..%2Fetc%2Fpasswd", SMALL, f.apiKey())),
                new Refusal("traversal encoded %2e%2e", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "%2e%2e%2f%2e%2e%2fsecret", SMALL, f.apiKey())),
                new Refusal("traversal double-encoded", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "%252e%252e%252fsecret", SMALL, f.apiKey())),
                new Refusal("leading slash", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "%2Fetc%2Fpasswd", SMALL, f.apiKey())),
                new Refusal("NUL in key", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "a%00.txt", SMALL, f.apiKey())),
                new Refusal("newline in key", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "a%0D%0Ab.txt", SMALL, f.apiKey())),
                new Refusal("over-long key", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, ("d".repeat(250) + "%2F").repeat(5), SMALL, f.apiKey())),
                new Refusal("over-long segment", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "x".repeat(300), SMALL, f.apiKey())),
                new Refusal("bad bucket name", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put("bad.bucket", "a.txt", SMALL, f.apiKey())),
                new Refusal("unknown bucket", 404, "STORAGE_NOT_FOUND", (f, b) -> f.put("no-such-bucket", "a.txt", SMALL, f.apiKey())),
                new Refusal("no credential", 401, "AUTH_INVALID_CREDENTIALS", (f, b) -> f.put(b, "a.txt", SMALL, null)),
                new Refusal("anon key", 403, "STORAGE_PERMISSION_DENIED", (f, b) -> f.put(b, "a.txt", SMALL, f.server().anonKey())),
                new Refusal("not multipart", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> rawPut(f, b, "a.txt", "application/octet-stream", SMALL, f.apiKey())),
                new Refusal("no file field", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "a.txt",
                        MultipartBody.of(List.of(new MultipartBody.Part("document", "a.txt", null, SMALL))), f.apiKey())),
                new Refusal("two file fields", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "a.txt",
                        MultipartBody.of(List.of(new MultipartBody.Part("file", "a.txt", null, SMALL),
                                new MultipartBody.Part("file", "b.txt", null, SMALL))), f.apiKey())),
                new Refusal("missing closing boundary", 400, "STORAGE_INVALID_PARAMETER", (f, b) -> {
                    byte[] full = MultipartBody.file(random(100_000), "a.bin", null).bytes();
                    byte[] cut = Arrays.copyOf(full, full.length - 40);
                    return rawPut(f, b, "a.bin", "multipart/form-data; boundary=" + MultipartBody.BOUNDARY, cut, f.apiKey());
                }),
                new Refusal("over the size limit", 413, "STORAGE_INVALID_PARAMETER", (f, b) -> f.put(b, "big.bin", random(1024 * 1024 + 1), f.apiKey())),
                new Refusal("over the limit, declared by Content-Length", 413, "STORAGE_INVALID_PARAMETER",
                        (f, b) -> f.put(b, "big.bin", random(2 * 1024 * 1024 + 100), f.apiKey())),
                new Refusal("strategy without filename", 400, "STORAGE_INVALID_PARAMETER", (f, b) ->
                        f.call("POST", "/api/storage/buckets/" + b + "/upload-strategy").bearer(f.apiKey()).json(Map.of("size", 3)).send()),
                new Refusal("strategy with traversal", 400, "STORAGE_INVALID_PARAMETER", (f, b) ->
                        f.call("POST", "/api/storage/buckets/" + b + "/upload-strategy").bearer(f.apiKey()).json(Map.of("filename", "../x")).send()),
                new Refusal("strategy for an oversize file", 413, "STORAGE_INVALID_PARAMETER", (f, b) ->
                        f.call("POST", "/api/storage/buckets/" + b + "/upload-strategy").bearer(f.apiKey())
                                .json(Map.of("filename", "x", "size", 5 * 1024 * 1024)).send()),
                new Refusal("strategy, unknown bucket", 404, "STORAGE_NOT_FOUND", (f, b) ->
                        f.call("POST", "/api/storage/buckets/nope/upload-strategy").bearer(f.apiKey()).json(Map.of("filename", "x")).send()),
                new Refusal("strategy as anon", 403, "STORAGE_PERMISSION_DENIED", (f, b) ->
                        f.call("POST", "/api/storage/buckets/" + b + "/upload-strategy").bearer(f.server().anonKey()).json(Map.of("filename", "x")).send()),
                new Refusal("generated-key POST as anon", 403, "STORAGE_PERMISSION_DENIED", (f, b) ->
                        f.call("POST", "/api/storage/buckets/" + b + "/objects").bearer(f.server().anonKey())
                                .body(MultipartBody.file(SMALL, "a.txt", null).contentType(), MultipartBody.file(SMALL, "a.txt", null).bytes()).send()),
                new Refusal("generated-key POST without file", 400, "STORAGE_INVALID_PARAMETER", (f, b) ->
                        f.call("POST", "/api/storage/buckets/" + b + "/objects").bearer(f.apiKey())
                                .body("multipart/form-data; boundary=x", "--x--\r\n".getBytes(StandardCharsets.UTF_8)).send()));
    }

    Stream<Arguments> refusalsOnBoth() {
        return providers().flatMap(f -> refusals().map(r -> Arguments.of(f, r)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusalsOnBoth")
    void refusedUploadsWriteNothing(StorageFixture f, Refusal refusal) {
        String bucket = f.newBucket(true);
        f.withUploadLimitMb(1, () -> {
            HttpCall.Reply reply = refusal.request().apply(f, bucket);

            assertThat(reply.status()).as(reply.toString()).isEqualTo(refusal.status());
            assertThat(reply.json().get("error").asText()).isEqualTo(refusal.code());
            assertThat(reply.json().get("message").asText()).isNotBlank();
            assertThat(f.storedKeys(bucket)).as("no bytes written").isEmpty();
            assertThat(f.stagingLeftovers()).as("no staged bytes left").isEmpty();
            HttpCall.Reply list = f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.apiKey()).send();
            assertThat(list.json().get("pagination").get("total").asInt()).as("no metadata row").isZero();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void malformedPercentEncodingIsRefused(StorageFixture f) {
        String bucket = f.newBucket(true);
        for (String rawKey : new String[] {"bad%zz", "bad%", "%C3%28"}) {
            String[] reply = f.rawRequest("PUT", "/api/storage/buckets/" + bucket + "/objects/" + rawKey, f.apiKey(),
                    MultipartBody.file(SMALL, "a.txt", null));
            assertThat(reply[0]).as(rawKey + ": " + reply[1]).startsWith("HTTP/1.1 400");
            assertThat(reply[1]).contains("\"statusCode\":400");
        }
        assertThat(f.storedKeys(bucket)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aClientThatHangsUpMidUploadLeavesNothing(StorageFixture f) throws Exception {
        String bucket = f.newBucket(true);
        byte[] original = random(5000);
        assertThat(f.put(bucket, "doc.bin", original, f.apiKey()).status()).isEqualTo(200);
        try (Socket socket = new Socket("127.0.0.1", f.server().anvil().port())) {
            String head = "--" + MultipartBody.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"doc.bin\"\r\n\r\n";
            socket.getOutputStream().write(("PUT /api/storage/buckets/" + bucket + "/objects/doc.bin HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + f.apiKey() + "\r\nContent-Type: " + MultipartBody.file(SMALL, "x", null).contentType()
                    + "\r\nContent-Length: 50000000\r\n\r\n" + head).getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(random(9 * 1024 * 1024));
            socket.getOutputStream().flush();
        }
        // The server notices the hang-up when it has read what the socket still held; wait until
        // nothing has been staged for a whole second.
        long deadline = System.nanoTime() + 20_000_000_000L;
        int emptyChecks = 0;
        while (emptyChecks < 20 && System.nanoTime() < deadline) {
            emptyChecks = f.stagingLeftovers().isEmpty() ? emptyChecks + 1 : 0;
            Thread.sleep(50);
        }
        assertThat(f.stagingLeftovers()).as("the staged part is discarded").isEmpty();
        assertThat(f.get(bucket, "doc.bin", null).bytes()).as("the old object is untouched").isEqualTo(original);
        assertThat(f.storedKeys(bucket)).containsExactly("doc.bin");
        assertThat(f.put(bucket, "after.bin", SMALL, f.apiKey()).status()).as("the server carries on").isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aFileExactlyAtTheLimitIsAccepted(StorageFixture f) {
        String bucket = f.newBucket(true);
        f.withUploadLimitMb(1, () -> {
            byte[] content = random(1024 * 1024);
            HttpCall.Reply reply = f.put(bucket, "exact.bin", content, f.apiKey());
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(f.get(bucket, "exact.bin", null).bytes()).isEqualTo(content);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void emptyFilesAndMultiMegabyteFiles(StorageFixture f) {
        String bucket = f.newBucket(true);
        assertThat(f.put(bucket, "empty", new byte[0], f.apiKey()).json().get("size").asInt()).isZero();
        assertThat(f.get(bucket, "empty", null).bytes()).isEmpty();

        byte[] big = random(S3ObjectStore.PART_SIZE * 2 + 12345); // several S3 parts
        HttpCall.Reply reply = f.put(bucket, "big.bin", big, f.apiKey());
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("size").asLong()).isEqualTo(big.length);
        assertThat(f.get(bucket, "big.bin", null).bytes()).isEqualTo(big);
        assertThat(f.stagingLeftovers()).isEmpty();
    }
}
