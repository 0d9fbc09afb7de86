package dev.anvil.server.storage;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed download URLs for private objects when the bytes pass through this server (local disk, or
 * S3 without presigning): {@code …/objects/<key>?expires=<epoch seconds>&signature=<HMAC>}. The
 * caller's right to read the object is checked when the URL is minted; the URL then works without an
 * Authorization header until it expires — a real capability, where InsForge's local mode hands out
 * the plain URL, which still needs a token. The signature covers bucket, key and expiry, so it
 * cannot be moved to another object or extended.
 */
final class SignedUrls {

    static final String EXPIRES = "expires";
    static final String SIGNATURE = "signature";
    private static final String DERIVATION_LABEL = "anvil-storage-signed-urls-v1";

    /** A future because the JWT secret it may derive from is still loading while the server starts. */
    private final CompletableFuture<byte[]> key;
    private final Clock clock;

    private SignedUrls(CompletableFuture<byte[]> key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /**
     * With an explicit key, or a key derived from the instance's JWT secret — shared by every replica
     * of the database, so a URL minted by one replica is accepted by all, and kept apart from JWTs by
     * the derivation label.
     */
    static SignedUrls create(Optional<String> explicitKey, CompletableFuture<String> jwtSecret, Clock clock) {
        CompletableFuture<byte[]> material = explicitKey
                .map(k -> CompletableFuture.completedFuture(k.getBytes(StandardCharsets.UTF_8)))
                .orElseGet(() -> jwtSecret.thenApply(secret -> hmac(secret.getBytes(StandardCharsets.UTF_8), DERIVATION_LABEL)));
        return new SignedUrls(material, clock);
    }

    /** The query string ({@code expires=…&signature=…}) that authorises reading the object until {@code expiresAt}. */
    String query(BucketName bucket, ObjectKey key, Instant expiresAt) {
        long expires = expiresAt.getEpochSecond();
        return EXPIRES + "=" + expires + "&" + SIGNATURE + "=" + sign(bucket, key, expires);
    }

    /** What a presented signature means for this object. */
    enum Verdict { VALID, EXPIRED, INVALID }

    Verdict verify(BucketName bucket, ObjectKey key, String expires, String signature) {
        long expiresAt;
        try {
            expiresAt = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return Verdict.INVALID;
        }
        byte[] expected = sign(bucket, key, expiresAt).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.INVALID;
        }
        return clock.instant().getEpochSecond() > expiresAt ? Verdict.EXPIRED : Verdict.VALID;
    }

    private String sign(BucketName bucket, ObjectKey objectKey, long expires) {
        // NUL cannot occur in bucket names or keys, so the fields cannot be shifted into each other.
        String payload = bucket.value() + '\0' + objectKey.value() + '\0' + expires;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key.join(), payload));
    }

    /** HMAC-SHA256 of the UTF-8 bytes of {@code data}. */
    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
