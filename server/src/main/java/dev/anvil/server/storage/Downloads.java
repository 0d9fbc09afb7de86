package dev.anvil.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.ErrorBody;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.PercentEncoding;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Who may read an object, and how the bytes reach them. Public buckets are readable by anyone. A
 * private object needs a credential — the row is then looked up as the caller's role, so RLS
 * policies decide — or a signed URL minted by {@link #strategy}. Bytes are streamed from the store
 * with their stored type; types a browser would execute are sent as attachments, and
 * {@code nosniff} stops the browser from guessing otherwise.
 */
final class Downloads {

    private static final System.Logger LOG = System.getLogger(Downloads.class.getName());
    static final long DEFAULT_EXPIRES_IN = 3600;
    static final long MAX_EXPIRES_IN = 604800;
    private static final Duration PUBLIC_PRESIGNED_LIFETIME = Duration.ofSeconds(MAX_EXPIRES_IN);
    private static final HeaderName NOSNIFF = HeaderNames.create("X-Content-Type-Options");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int COPY_BUFFER = 256 * 1024;

    private final ObjectStore store;
    private final DataSource dataSource;
    private final RoleTransaction transactions;
    private final SignedUrls signedUrls;
    private final Credentials credentials;
    private final Clock clock;

    Downloads(ObjectStore store, DataSource dataSource, RoleTransaction transactions, SignedUrls signedUrls,
              Credentials credentials, Clock clock) {
        this.store = store;
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.signedUrls = signedUrls;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** {@code GET/HEAD …/objects/<key>}: the bytes (or a range), or a redirect to S3 in presigned mode. */
    void serve(ServerRequest req, ServerResponse res, BucketStore.Bucket bucket, ObjectKey key, boolean headOnly)
            throws SQLException, IOException {
        StoredObject row = visible(req, bucket, key, true);
        String mimeType = ContentTypes.safe(row.mimeType());
        Optional<S3Presigning> presigning = store.presigning();
        if (presigning.isPresent()) {
            Duration lifetime = bucket.isPublic() ? PUBLIC_PRESIGNED_LIFETIME : Duration.ofSeconds(DEFAULT_EXPIRES_IN);
            res.status(Status.FOUND_302);
            res.header(HeaderNames.LOCATION, presigning.get().download(bucket.name(), key, lifetime, mimeType));
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send();
            return;
        }
        Optional<ByteRange> range = ByteRange.parse(req.headers().first(HeaderNames.RANGE).orElse(null));
        Optional<ObjectStore.Content> opened;
        try {
            opened = store.open(bucket.name(), key, range);
        } catch (ObjectStore.RangeNotSatisfiableException e) {
            res.status(Status.REQUESTED_RANGE_NOT_SATISFIABLE_416);
            res.header(HeaderNames.CONTENT_RANGE, "bytes */" + e.size());
            Json.send(res, 416, ErrorBody.of(416, "STORAGE_INVALID_PARAMETER",
                    "Range not satisfiable: the object has " + e.size() + " bytes", null));
            return;
        }
        if (opened.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING,
                    "Object " + bucket.name() + "/" + key + " has a row but no bytes in the " + store.name() + " store");
            throw objectNotFound();
        }
        try (ObjectStore.Content content = opened.get()) {
            res.header(HeaderNames.CONTENT_TYPE, mimeType);
            if (ContentTypes.needsAttachment(mimeType)) {
                res.header(HeaderNames.CONTENT_DISPOSITION, attachment(key.fileName()));
            }
            res.header(NOSNIFF, "nosniff");
            res.header(HeaderNames.ACCEPT_RANGES, "bytes");
            res.header(HeaderNames.LAST_MODIFIED, HTTP_DATE.format(row.uploadedAt()));
            if (row.etag() != null) {
                res.header(HeaderNames.ETAG, row.etag().startsWith("\"") ? row.etag() : "\"" + row.etag() + "\"");
            }
            if (!bucket.isPublic()) {
                res.header(HeaderNames.CACHE_CONTROL, "private, no-store");
            }
            if (content.range().isPresent()) {
                res.status(Status.PARTIAL_CONTENT_206);
                res.header(HeaderNames.CONTENT_RANGE, content.range().get().contentRange());
            }
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(content.length()));
            if (headOnly) {
                res.send();
                return;
            }
            try (OutputStream out = res.outputStream()) {
                copy(content.stream(), out);
            }
        }
    }

    /**
     * {@code …/download-strategy}: how the client should fetch the object. Public objects: the plain
     * URL. Private objects: a signed URL valid for {@code expiresIn} seconds (clamped to 1..604800),
     * or a presigned S3 URL in presigned mode.
     */
    ObjectNode strategy(ServerRequest req, BucketStore.Bucket bucket, ObjectKey key, long expiresIn, String baseUrl)
            throws SQLException {
        StoredObject row = visible(req, bucket, key, false);
        ObjectNode strategy = Json.object();
        Optional<S3Presigning> presigning = store.presigning();
        long seconds = Math.min(MAX_EXPIRES_IN, Math.max(1, expiresIn));
        if (presigning.isPresent()) {
            Duration lifetime = bucket.isPublic() ? PUBLIC_PRESIGNED_LIFETIME : Duration.ofSeconds(seconds);
            strategy.put("method", "presigned");
            strategy.put("url", presigning.get().download(bucket.name(), key, lifetime, ContentTypes.safe(row.mimeType())));
            strategy.put("expiresAt", IsoTime.of(clock.instant().plus(lifetime)));
            return strategy;
        }
        String url = StoredObject.objectUrl(baseUrl, bucket.name(), key);
        if (bucket.isPublic()) {
            strategy.put("method", "direct");
            strategy.put("url", url);
            return strategy;
        }
        Instant expiresAt = clock.instant().plusSeconds(seconds);
        strategy.put("method", "presigned");
        strategy.put("url", url + "?" + signedUrls.query(bucket.name(), key, expiresAt));
        strategy.put("expiresAt", IsoTime.of(expiresAt));
        return strategy;
    }

    /**
     * The object's row if this request may read it; 404 when it does not exist for the caller (RLS
     * hides rows as if they were absent).
     */
    private StoredObject visible(ServerRequest req, BucketStore.Bucket bucket, ObjectKey key, boolean signatureAllowed)
            throws SQLException {
        if (bucket.isPublic()) {
            return asServer(bucket.name(), key);
        }
        Optional<String> signature = req.query().first(SignedUrls.SIGNATURE).asOptional();
        if (signatureAllowed && signature.isPresent()) {
            String expires = req.query().first(SignedUrls.EXPIRES).orElse("");
            switch (signedUrls.verify(bucket.name(), key, expires, signature.get())) {
                case VALID -> {
                    return asServer(bucket.name(), key);
                }
                case EXPIRED -> throw new ApiException(403, "STORAGE_PERMISSION_DENIED", "The signed URL has expired",
                        "Request a new one from the download-strategy endpoint.");
                default -> throw new ApiException(403, "STORAGE_PERMISSION_DENIED", "The signed URL is not valid for this object",
                        "Request a new one from the download-strategy endpoint.");
            }
        }
        var principal = credentials.user(req);
        return transactions.run(principal, true, connection -> ObjectRows.find(connection, bucket.name(), key))
                .orElseThrow(Downloads::objectNotFound);
    }

    private StoredObject asServer(BucketName bucket, ObjectKey key) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return ObjectRows.find(connection, bucket, key).orElseThrow(Downloads::objectNotFound);
        }
    }

    static ApiException objectNotFound() {
        return new ApiException(404, "STORAGE_NOT_FOUND", "Object not found");
    }

    /** {@code attachment} with the file name, ASCII fallback plus RFC 6266 UTF-8 form. */
    private static String attachment(String fileName) {
        String ascii = fileName.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + PercentEncoding.encodeUriComponent(fileName);
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            out.write(buffer, 0, read);
        }
    }
}
