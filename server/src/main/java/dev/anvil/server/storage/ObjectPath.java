package dev.anvil.server.storage;

import java.util.Optional;

import dev.anvil.server.http.ApiException;

/**
 * The bucket and the still-encoded rest of a storage URL, read from the raw request path: the SDK
 * sends keys as one {@code encodeURIComponent} segment ({@code a%2Fb.png}), curl users send them
 * with literal slashes ({@code a/b.png}); both name the same key. Decoding is left to
 * {@link ObjectKey}, which refuses traversal in any encoding.
 */
record ObjectPath(BucketName bucket, String rawRest) {

    private static final String BUCKETS = "/buckets/";

    /**
     * Splits {@code …/buckets/<bucket>/<section><rest>}; {@code section} is the fixed part before
     * the key, e.g. {@code objects/}.
     */
    static ObjectPath parse(String rawPath, String section) {
        int start = rawPath.indexOf(BUCKETS);
        if (start < 0) {
            throw notFound(rawPath);
        }
        start += BUCKETS.length();
        int slash = rawPath.indexOf('/', start);
        if (slash < 0 || !rawPath.startsWith(section, slash + 1)) {
            throw notFound(rawPath);
        }
        BucketName bucket = BucketName.fromRawPath(rawPath.substring(start, slash));
        return new ObjectPath(bucket, rawPath.substring(slash + 1 + section.length()));
    }

    ObjectKey key() {
        return ObjectKey.fromRawPath(rawRest);
    }

    /**
     * For {@code POST …/objects/<key>/<action>}: the key, when the rest is one encoded segment
     * followed by {@code /action} (Express matched {@code :objectKey} as one segment).
     */
    Optional<ObjectKey> keyBefore(String action) {
        String suffix = "/" + action;
        if (!rawRest.endsWith(suffix)) {
            return Optional.empty();
        }
        String rawKey = rawRest.substring(0, rawRest.length() - suffix.length());
        if (rawKey.isEmpty() || rawKey.contains("/")) {
            return Optional.empty();
        }
        return Optional.of(ObjectKey.fromRawPath(rawKey));
    }

    private static ApiException notFound(String path) {
        return new ApiException(404, "NOT_FOUND", "Endpoint " + path + " not found");
    }
}
