package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.MultipartBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 in presigned mode ({@code ANVIL_S3_PRESIGNED=true}): the client uploads straight to S3 with a
 * signed POST policy and confirms, downloads from a presigned GET URL, and {@code GET …/objects/<key>}
 * answers 302 to one — all against S3Proxy, which checks the signatures.
 */
class StoragePresignedTest {

    static StorageFixture f;

    @BeforeAll
    static void start() {
        f = StorageFixture.s3("presigned", Map.of("ANVIL_S3_PRESIGNED", "true"));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static JsonNode strategy(String bucket, String key, String credential) {
        HttpCall.Reply reply = f.call("POST", "/api/storage/buckets/" + bucket + "/upload-strategy").bearer(credential)
                .json(Map.of("filename", key, "contentType", "image/png", "size", 20)).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }

    /** The browser's form POST: the policy fields in order, then the file. */
    static HttpCall.Reply postForm(JsonNode strategy, byte[] content) {
        List<MultipartBody.Part> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = strategy.get("fields").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            parts.add(new MultipartBody.Part(field.getKey(), null, null, field.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        }
        parts.add(new MultipartBody.Part("file", "upload.png", "image/png", content));
        MultipartBody body = MultipartBody.of(parts);
        URI url = URI.create(strategy.get("uploadUrl").asText());
        return HttpCall.to(url.getScheme() + "://" + url.getAuthority(), "POST", url.getRawPath()).body(body.contentType(), body.bytes()).send();
    }

    @Test
    void uploadThroughAPresignedPostThenConfirm() {
        String bucket = f.newBucket(false);
        String user = f.newUser();
        JsonNode strategy = strategy(bucket, "pics/cat.png", f.userToken(user));
        assertThat(strategy.get("method").asText()).isEqualTo("presigned");
        assertThat(strategy.get("confirmRequired").asBoolean()).isTrue();
        assertThat(strategy.get("key").asText()).isEqualTo("pics/cat.png");
        assertThat(strategy.get("confirmUrl").asText()).isEqualTo("/api/storage/buckets/" + bucket + "/objects/pics%2Fcat.png/confirm-upload");
        assertThat(Instant.parse(strategy.get("expiresAt").asText())).isAfter(Instant.now());
        assertThat(strategy.get("fields").get("key").asText()).isEqualTo("local/" + bucket + "/pics/cat.png");
        assertThat(strategy.get("fields").has("Policy")).isTrue();
        assertThat(strategy.get("fields").has("X-Amz-Signature")).isTrue();

        HttpCall.Reply posted = postForm(strategy, StorageUploadTest.PNG);
        assertThat(posted.status()).as(posted.toString()).isBetween(200, 204);

        HttpCall.Reply confirmed = f.call("POST", strategy.get("confirmUrl").asText()).bearer(f.userToken(user))
                .json(Map.of("size", StorageUploadTest.PNG.length, "contentType", "text/html")).send();
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.json().get("key").asText()).isEqualTo("pics/cat.png");
        assertThat(confirmed.json().get("size").asInt()).isEqualTo(StorageUploadTest.PNG.length);
        assertThat(confirmed.json().get("mimeType").asText()).as("sniffed from the stored bytes, not the client's claim").isEqualTo("image/png");
        JsonNode row = f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.apiKey()).send().json().get("data").get(0);
        assertThat(row.get("uploaded_by").asText()).isEqualTo(user);
    }

    @Test
    void aForgedSignatureIsRefusedByS3() {
        String bucket = f.newBucket(true);
        JsonNode strategy = strategy(bucket, "a.png", f.apiKey());
        String signature = strategy.get("fields").get("X-Amz-Signature").asText();
        ((ObjectNode) strategy.get("fields"))
                .put("X-Amz-Signature", (signature.charAt(0) == '0' ? "1" : "0") + signature.substring(1));
        HttpCall.Reply posted = postForm(strategy, StorageUploadTest.PNG);
        assertThat(posted.status()).as(posted.toString()).isGreaterThanOrEqualTo(400);
        assertThat(f.storedKeys(bucket)).isEmpty();
    }

    @Test
    void confirmWithoutAnUploadIsNotFoundAndOversizeUploadsAreRemoved() {
        String bucket = f.newBucket(true);
        HttpCall.Reply missing = f.call("POST", "/api/storage/buckets/" + bucket + "/objects/never.png/confirm-upload")
                .bearer(f.apiKey()).json(Map.of("size", 3)).send();
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isEqualTo("STORAGE_NOT_FOUND");

        JsonNode strategy = strategy(bucket, "big.bin", f.apiKey());
        f.withUploadLimitMb(1, () -> {
            postForm(strategy, new byte[1024 * 1024 + 1]);
            HttpCall.Reply confirmed = f.call("POST", strategy.get("confirmUrl").asText()).bearer(f.apiKey())
                    .json(Map.of("size", 1024 * 1024 + 1)).send();
            assertThat(confirmed.status()).isIn(404, 413);
            assertThat(f.storedKeys(bucket)).isEmpty();
            assertThat(f.call("GET", "/api/storage/buckets/" + bucket + "/objects").bearer(f.apiKey()).send().json()
                    .get("pagination").get("total").asInt()).isZero();
        });
    }

    @Test
    void downloadsArePresignedS3Urls() {
        String bucket = f.newBucket(false);
        byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8);
        assertThat(f.put(bucket, "page.html", MultipartBody.file(html, "page.html", "text/html"), f.apiKey()).status()).isEqualTo(200);

        HttpCall.Reply reply = f.call("GET", "/api/storage/buckets/" + bucket + "/download-strategy/objects/page.html?expiresIn=300")
                .bearer(f.newUserToken()).send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("method").asText()).isEqualTo("presigned");
        String url = reply.json().get("url").asText();
        assertThat(url).startsWith(S3ProxyServer.endpoint()).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
        HttpCall.Reply fromS3 = StorageDownloadTest.fetch(url);
        assertThat(fromS3.status()).as(fromS3.toString()).isEqualTo(200);
        assertThat(fromS3.bytes()).isEqualTo(html);
        assertThat(fromS3.header("Content-Type")).contains("application/octet-stream");

        HttpCall.Reply redirect = f.get(bucket, "page.html", f.apiKey());
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.header("Location").orElseThrow()).startsWith(S3ProxyServer.endpoint());
        assertThat(StorageDownloadTest.fetch(redirect.header("Location").orElseThrow()).bytes()).isEqualTo(html);

        assertThat(f.get(bucket, "page.html", null).status()).as("the redirect still needs a credential").isEqualTo(401);
        assertThat(f.call("GET", "/api/storage/buckets/" + bucket + "/download-strategy/objects/page.html")
                .bearer(f.server().anonKey()).send().status()).isEqualTo(403);
    }
}
