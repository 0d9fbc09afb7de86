package dev.anvil.server.storage;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.PercentEncoding;

/**
 * An object key that is safe to use as a path under a bucket, on disk and in S3. Keys may contain
 * {@code /} (folders) but never {@code ..}, a leading {@code /}, control characters (NUL included),
 * empty or {@code .} segments, or more than {@value #MAX_BYTES} bytes ({@value #MAX_SEGMENT_BYTES} per
 * segment, a file-name limit of common filesystems). The same rules hold for every provider, so a key
 * accepted on S3 can move to local disk and back.
 *
 * <p>Keys arrive percent-encoded in the URL (the SDK sends {@code encodeURIComponent(key)}), so they
 * are decoded exactly once; an attacker's double encoding ({@code %252e%252e}) is also refused, since
 * some proxy in front of the server might decode it a second time.
 */
public record ObjectKey(String value) {

    static final int MAX_BYTES = 1024;
    static final int MAX_SEGMENT_BYTES = 255;
    private static final int DECODE_ROUNDS = 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    public ObjectKey {
        validate(value);
    }

    /** A key from the raw (still percent-encoded) URL path. */
    public static ObjectKey fromRawPath(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid("Object key is required");
        }
        return new ObjectKey(PercentEncoding.decode(raw).orElseThrow(() -> invalid("Invalid key. It is not correctly percent-encoded")));
    }

    /**
     * A fresh key for an uploaded file, as InsForge (and the SDK's {@code uploadAuto}) makes them:
     * {@code <base, sanitised, at most 32 chars>-<epoch ms>-<6 base-36 chars><.ext>}.
     */
    public static ObjectKey generated(String fileName, long epochMillis) {
        String name = fileName == null ? "" : fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot + 1).replaceAll("[^a-zA-Z0-9]", "") : "";
        String sanitised = base.replaceAll("[^a-zA-Z0-9_-]", "-");
        sanitised = sanitised.substring(0, Math.min(32, sanitised.length()));
        StringBuilder random = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            random.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return new ObjectKey((sanitised.isEmpty() ? "file" : sanitised) + "-" + epochMillis + "-" + random
                + (extension.isEmpty() ? "" : "." + extension.substring(0, Math.min(16, extension.length()))));
    }

    /** The last segment: what a file saved from this key would be called. */
    public String fileName() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The key as one URL path segment, as the SDK encodes it ({@code encodeURIComponent}). */
    public String urlEncoded() {
        return PercentEncoding.encodeUriComponent(value);
    }

    private static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw invalid("Object key is required");
        }
        String candidate = key;
        for (int round = 0; round < DECODE_ROUNDS; round++) {
            checkTraversal(candidate);
            Optional<String> decoded = PercentEncoding.decode(candidate);
            if (decoded.isEmpty() || decoded.get().equals(candidate)) {
                break;
            }
            candidate = decoded.get();
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw invalid("Invalid key. It is " + bytes + " bytes long; the limit is " + MAX_BYTES);
        }
        if (key.endsWith("/")) {
            throw invalid("Invalid key. It must not end with \"/\"");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                throw invalid("Invalid key. Empty and \".\" path segments are not allowed");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw invalid("Invalid key. Each path segment may be at most " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
    }

    private static void checkTraversal(String key) {
        if (key.contains("..") || key.startsWith("/") || key.startsWith("\\")) {
            throw invalid("Invalid key. Cannot use \"..\" or start with \"/\"");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw invalid("Invalid key. Control characters (including NUL) are not allowed");
            }
        }
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "STORAGE_INVALID_PARAMETER", message,
                "Object keys may contain letters, digits, \"/\" folders and most punctuation, but not \"..\", a leading \"/\" or control characters.");
    }

    @Override
    public String toString() {
        return value;
    }
}
