package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Downloads (contract §4.2), on both providers: {@code GET/HEAD …/objects/<key>} with ranges and
 * safe headers, public vs private access, {@code download-strategy} (GET and the deprecated POST
 * alias), and signed URLs that work without a credential until they expire.
 */
class StorageDownloadTest extends StorageBehaviour {

    static final byte[] CONTENT = new byte[100_000];

    static {
        new Random(42).nextBytes(CONTENT);
    }

    /** A bucket holding {@link #CONTENT} at {@code folder/data.bin}. */
    static String bucketWithObject(StorageFixture f, boolean isPublic) {
        String bucket = f.newBucket(isPublic);
        assertThat(f.put(bucket, "folder%2Fdata.bin", CONTENT, f.apiKey()).status()).isEqualTo(200);
        return bucket;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void publicObjectsNeedNoCredential(StorageFixture f) {
        String bucket = bucketWithObject(f, true);
        for (String key : new String[] {"folder%2Fdata.bin", "folder/data.bin"}) {
            HttpCall.Reply reply = f.get(bucket, key, null);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.bytes()).isEqualTo(CONTENT);
            assertThat(reply.header("Content-Type")).contains("application/octet-stream");
            assertThat(reply.header("Content-Length")).contains("100000");
            assertThat(reply.header("X-Content-Type-Options")).contains("nosniff");
            assertThat(reply.header("Accept-Ranges")).contains("bytes");
            assertThat(reply.header("Cache-Control")).isEmpty();
        }
        // An expired token is not a reason to refuse a public object (the SDK sends whatever it has).
        assertThat(f.get(bucket, "folder%2Fdata.bin", "not-a-valid-token").status()).isEqualTo(200);
    }

    static Stream<Arguments> ranges() {
        return Stream.of(
                Arguments.of("bytes=0-9", 0, 9),
                Arguments.of("bytes=99990-", 99_990, 99_999),
                Arguments.of("bytes=-5", 99_995, 99_999),
                Arguments.of("bytes=50000-50000", 50_000, 50_000),
                Arguments.of("bytes=99000-200000", 99_000, 99_999));
    }

    Stream<Arguments> rangesOnBoth() {
        return providers().flatMap(f -> ranges().map(r -> Arguments.of(f, r.get()[0], r.get()[1], r.get()[2])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("rangesOnBoth")
    void rangesAreServed(StorageFixture f, String range, int first, int last) {
        String bucket = bucketWithObject(f, true);
        HttpCall.Reply reply = f.server().get("/api/storage/buckets/" + bucket + "/objects/folder%2Fdata.bin").header("Range", range).send();
        assertThat(reply.status()).isEqualTo(206);
        assertThat(reply.header("Content-Range")).contains("bytes " + first + "-" + last + "/100000");
        assertThat(reply.bytes()).isEqualTo(Arrays.copyOfRange(CONTENT, first, last + 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void unsatisfiableAndIgnoredRanges(StorageFixture f) {
        String bucket = bucketWithObject(f, true);
        String path = "/api/storage/buckets/" + bucket + "/objects/folder%2Fdata.bin";
        HttpCall.Reply beyond = f.server().get(path).header("Range", "bytes=100000-").send();
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.header("Content-Range")).contains("bytes */100000");
        for (String ignored : new String[] {"bytes=0-1,5-6", "items=0-1", "bytes=9-1", "garbage"}) {
            HttpCall.Reply whole = f.server().get(path).header("Range", ignored).send();
            assertThat(whole.status()).as(ignored).isEqualTo(200);
            assertThat(whole.bytes()).hasSize(100_000);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void headSendsTheHeadersOnly(StorageFixture f) {
        String bucket = bucketWithObject(f, true);
        HttpCall.Reply reply = f.call("HEAD", "/api/storage/buckets/" + bucket + "/objects/folder%2Fdata.bin").send();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Length")).contains("100000");
        assertThat(reply.bytes()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void privateObjectsNeedACredential(StorageFixture f) {
        String bucket = bucketWithObject(f, false);
        HttpCall.Reply none = f.get(bucket, "folder%2Fdata.bin", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).isEqualTo("AUTH_INVALID_CREDENTIALS");
        assertThat(f.get(bucket, "folder%2Fdata.bin", "bad.jwt.token").status()).isEqualTo(401);
        assertThat(f.get(bucket, "folder%2Fdata.bin", f.server().anonKey()).status()).as("anon has no access to storage").isEqualTo(403);

        HttpCall.Reply user = f.get(bucket, "folder%2Fdata.bin", f.newUserToken());
        assertThat(user.status()).isEqualTo(200);
        assertThat(user.bytes()).isEqualTo(CONTENT);
        assertThat(user.header("Cache-Control")).contains("private, no-store");
        assertThat(f.get(bucket, "folder%2Fdata.bin", f.apiKey()).bytes()).isEqualTo(CONTENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void missingObjectsAndBuckets(StorageFixture f) {
        String bucket = bucketWithObject(f, true);
        HttpCall.Reply missing = f.get(bucket, "nope.txt", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isEqualTo("STORAGE_NOT_FOUND");
        assertThat(f.get("no-such-bucket", "x", f.apiKey()).json().get("error").asText()).isEqualTo("STORAGE_NOT_FOUND");
        assertThat(f.get(bucket, "..%2Fsecret", null).status()).isEqualTo(400);
        assertThat(f.get("bad.name", "x", null).status()).isEqualTo(400);
        HttpCall.Reply strategy = f.call("GET", "/api/storage/buckets/" + bucket + "/download-strategy/objects/nope.txt").send();
        assertThat(strategy.status()).isEqualTo(404);
        assertThat(strategy.json().get("error").asText()).isEqualTo("STORAGE_NOT_FOUND");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void publicDownloadStrategyIsTheDirectUrl(StorageFixture f) {
        String bucket = bucketWithObject(f, true);
        for (HttpCall call : List.of(
                f.call("GET", "/api/storage/buckets/" + bucket + "/download-strategy/objects/folder%2Fdata.bin?expiresIn=60"),
                f.call("POST", "/api/storage/buckets/" + bucket + "/objects/folder%2Fdata.bin/download-strategy").json(Map.of()))) {
            HttpCall.Reply reply = call.send();
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.header("Cache-Control")).contains("no-store");
            assertThat(reply.json().get("method").asText()).isEqualTo("direct");
            assertThat(reply.json().get("url").asText())
                    .isEqualTo(f.server().anvil().baseUrl() + "/api/storage/buckets/" + bucket + "/objects/folder%2Fdata.bin");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void privateDownloadStrategyIsASignedUrlThatNeedsNoCredential(StorageFixture f) {
        String bucket = bucketWithObject(f, false);
        String path = "/api/storage/buckets/" + bucket + "/download-strategy/objects/folder%2Fdata.bin";
        assertThat(f.call("GET", path).send().status()).as("minting needs a credential").isEqualTo(401);
        assertThat(f.call("GET", path).bearer(f.server().anonKey()).send().status()).isEqualTo(403);

        HttpCall.Reply reply = f.call("GET", path + "?expiresIn=120").bearer(f.newUserToken()).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode strategy = reply.json();
        assertThat(strategy.get("method").asText()).isEqualTo("presigned");
        Instant expiresAt = Instant.parse(strategy.get("expiresAt").asText());
        assertThat(expiresAt).isBetween(Instant.now().plusSeconds(100), Instant.now().plusSeconds(130));

        HttpCall.Reply download = fetch(strategy.get("url").asText());
        assertThat(download.status()).as(download.toString()).isEqualTo(200);
        assertThat(download.bytes()).isEqualTo(CONTENT);

        HttpCall.Reply alias = f.call("POST", "/api/storage/buckets/" + bucket + "/objects/folder%2Fdata.bin/download-strategy")
                .bearer(f.apiKey()).json(Map.of("expiresIn", 999_999_999)).send();
        Instant clamped = Instant.parse(alias.json().get("expiresAt").asText());
        assertThat(clamped).as("clamped to 7 days").isBefore(Instant.now().plusSeconds(604_801));
        assertThat(fetch(alias.json().get("url").asText()).bytes()).isEqualTo(CONTENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void signedUrlsCannotBeBentOrReusedAfterExpiry(StorageFixture f) {
        String bucket = bucketWithObject(f, false);
        assertThat(f.put(bucket, "other.bin", "other".getBytes(StandardCharsets.UTF_8), f.apiKey()).status()).isEqualTo(200);
        String url = f.call("GET", "/api/storage/buckets/" + bucket + "/download-strategy/objects/folder%2Fdata.bin?expiresIn=1")
                .bearer(f.apiKey()).send().json().get("url").asText();
        String query = url.substring(url.indexOf('?'));
        String expires = query.replaceAll(".*expires=(\\d+).*", "$1");
        String signature = query.replaceAll(".*signature=([^&]+).*", "$1");

        assertThat(fetch(url.replace("folder%2Fdata.bin", "other.bin")).status()).as("another key").isEqualTo(403);
        assertThat(fetch(url.replace("expires=" + expires, "expires=" + (Long.parseLong(expires) + 3600))).status())
                .as("a later expiry").isEqualTo(403);
        assertThat(fetch(url.replace(signature, signature.substring(1) + "A")).status()).as("a changed signature").isEqualTo(403);
        assertThat(fetch(url.replace(bucket, bucketWithObject(f, false))).status()).as("another bucket").isEqualTo(403);

        String expired = url.replace("expires=" + expires, "expires=" + (Instant.now().getEpochSecond() - 10));
        HttpCall.Reply tooLate = fetch(expired);
        assertThat(tooLate.status()).isEqualTo(403);
        assertThat(tooLate.json().get("error").asText()).isEqualTo("STORAGE_PERMISSION_DENIED");
        // Waiting out the one-second lifetime: the genuine URL stops working too.
        sleep(2100);
        HttpCall.Reply afterExpiry = fetch(url);
        assertThat(afterExpiry.status()).as(afterExpiry.toString()).isEqualTo(403);
    }

    static HttpCall.Reply fetch(String absoluteUrl) {
        URI uri = URI.create(absoluteUrl);
        String base = uri.getScheme() + "://127.0.0.1:" + uri.getPort();
        return HttpCall.to(base, "GET", uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())).send();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
