package dev.anvil.server.storage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Presigned S3 URLs for clients that talk to S3 directly ({@code ANVIL_S3_PRESIGNED=true}): a GET URL
 * for downloads, and a browser-form POST (SigV4 POST policy, what {@code createPresignedPost} of the
 * JavaScript SDK produces) for uploads, limited to the upload size by a {@code content-length-range}
 * condition. The Java SDK has no POST-policy signer, so the policy is signed here.
 */
final class S3Presigning {

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter EXPIRATION = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final String bucket;
    private final BiFunction<BucketName, ObjectKey, String> objectKey;

    S3Presigning(S3Client s3, S3Presigner presigner, AwsCredentialsProvider credentials, String region, String bucket,
                 BiFunction<BucketName, ObjectKey, String> objectKey) {
        this.s3 = s3;
        this.presigner = presigner;
        this.credentials = credentials;
        this.region = region;
        this.bucket = bucket;
        this.objectKey = objectKey;
    }

    /** A form POST: the URL and the fields to send before the file. */
    record PresignedPost(String url, Map<String, String> fields, Instant expiresAt) {
    }

    String download(BucketName bucketName, ObjectKey key, Duration lifetime, String contentType) {
        return presigner.presignGetObject(p -> p.signatureDuration(lifetime).getObjectRequest(r -> {
            r.bucket(bucket).key(objectKey.apply(bucketName, key)).responseContentType(contentType);
            if (ContentTypes.needsAttachment(contentType)) {
                r.responseContentDisposition("attachment");
            }
        })).url().toString();
    }

    PresignedPost upload(BucketName bucketName, ObjectKey key, long maxBytes, Duration lifetime) {
        Instant now = Instant.now();
        Instant expiresAt = now.plus(lifetime);
        AwsCredentials identity = credentials.resolveCredentials();
        String date = DATE.format(now);
        String credential = identity.accessKeyId() + "/" + date + "/" + region + "/s3/aws4_request";
        String s3Key = objectKey.apply(bucketName, key);

        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("bucket", bucket);
        fields.put("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
        fields.put("X-Amz-Credential", credential);
        fields.put("X-Amz-Date", AMZ_DATE.format(now));
        if (identity instanceof AwsSessionCredentials session) {
            fields.put("X-Amz-Security-Token", session.sessionToken());
        }
        fields.put("key", s3Key);

        ObjectNode policy = Json.object();
        policy.put("expiration", EXPIRATION.format(expiresAt));
        ArrayNode conditions = policy.putArray("conditions");
        fields.forEach((name, value) -> conditions.addObject().put(name, value));
        conditions.addArray().add("content-length-range").add(0).add(maxBytes);
        String encodedPolicy = Base64.getEncoder().encodeToString(Json.bytes(policy));
        fields.put("Policy", encodedPolicy);
        fields.put("X-Amz-Signature", HexFormat.of().formatHex(SignedUrls.hmac(signingKey(identity.secretAccessKey(), date), encodedPolicy)));

        String probe = s3.utilities().getUrl(r -> r.bucket(bucket).key("x")).toString();
        return new PresignedPost(probe.substring(0, probe.length() - 1), fields, expiresAt);
    }

    private byte[] signingKey(String secret, String date) {
        byte[] key = SignedUrls.hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = SignedUrls.hmac(key, region);
        key = SignedUrls.hmac(key, "s3");
        return SignedUrls.hmac(key, "aws4_request");
    }
}
