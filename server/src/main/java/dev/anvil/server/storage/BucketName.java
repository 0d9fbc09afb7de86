package dev.anvil.server.storage;

import java.util.regex.Pattern;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.PercentEncoding;

/**
 * A bucket name as InsForge allows it: letters, digits, {@code -} and {@code _} (contract §4). The
 * rule also makes a name safe as a directory and an S3 prefix, and keeps it apart from the provider's
 * own dot-prefixed working folders ({@code .staging}, {@code .trash}).
 */
public record BucketName(String value) {

    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9_-]{1,255}");

    public BucketName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new ApiException(400, "STORAGE_INVALID_PARAMETER",
                    "Invalid bucket name. Use only letters, numbers, hyphens, and underscores.",
                    "Please check the bucket name, it must be a valid bucket name");
        }
    }

    /** A bucket name from the raw URL path segment. */
    public static BucketName fromRawPath(String raw) {
        return new BucketName(PercentEncoding.decode(raw).orElse(raw));
    }

    @Override
    public String toString() {
        return value;
    }
}
