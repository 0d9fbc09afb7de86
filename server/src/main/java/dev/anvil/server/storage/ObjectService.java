package dev.anvil.server.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.QueryParams;
import dev.anvil.server.http.RequestBody;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The storage data plane (contract §4.2) under {@code /api/storage/buckets/:bucket}: upload and
 * download strategies, upload (PUT with the key, POST with a generated one), confirm of presigned
 * uploads, download, list, delete one and delete many. Keys come from the raw path
 * ({@link ObjectPath}) so an encoded {@code /} in a key survives routing.
 */
final class ObjectService implements HttpService {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final int MAX_DELETE_KEYS = 1000;
    private static final String OBJECTS = "objects/";
    private static final String DOWNLOAD_STRATEGY = "download-strategy";
    private static final String CONFIRM_UPLOAD = "confirm-upload";

    private final Credentials credentials;
    private final BucketStore buckets;
    private final ObjectStore store;
    private final RoleTransaction transactions;
    private final Uploads uploads;
    private final Downloads downloads;
    private final Supplier<String> baseUrl;

    ObjectService(Credentials credentials, BucketStore buckets, ObjectStore store, RoleTransaction transactions,
                  Uploads uploads, Downloads downloads, Supplier<String> baseUrl) {
        this.credentials = credentials;
        this.buckets = buckets;
        this.store = store;
        this.transactions = transactions;
        this.uploads = uploads;
        this.downloads = downloads;
        this.baseUrl = baseUrl;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/buckets/{bucket}/upload-strategy", this::uploadStrategy)
                .get("/buckets/{bucket}/download-strategy/objects/*", this::downloadStrategy)
                .get("/buckets/{bucket}/objects", this::list)
                .post("/buckets/{bucket}/objects", this::uploadWithGeneratedKey)
                .delete("/buckets/{bucket}/objects", this::deleteMany)
                .put("/buckets/{bucket}/objects/*", this::upload)
                .get("/buckets/{bucket}/objects/*", (req, res) -> download(req, res, false))
                .head("/buckets/{bucket}/objects/*", (req, res) -> download(req, res, true))
                .delete("/buckets/{bucket}/objects/*", this::delete)
                .post("/buckets/{bucket}/objects/*", this::objectAction)
                .any(this::unmatched);
    }

    /**
     * Helidon matches routes on the decoded path, where {@code *} does not cross a line break, so a
     * key with an encoded CR or LF matches no route; it still deserves the key's 400, not a 404.
     */
    private void unmatched(ServerRequest req, ServerResponse res) {
        String raw = rawPath(req);
        int objects = raw.indexOf("/objects/");
        if (raw.contains("/buckets/") && objects >= 0) {
            ObjectKey.fromRawPath(raw.substring(objects + "/objects/".length()));
        }
        res.next();
    }

    /**
     * The request path exactly as sent. Inside a service, {@code req.path()} is rebuilt from the
     * decoded path, which turns invalid UTF-8 into U+FFFD; keys must be decoded by ObjectKey alone.
     */
    private static String rawPath(ServerRequest req) {
        return req.prologue().uriPath().rawPath();
    }

    /** The bucket and key a {@code …/<section><key>} request is about (the key validated, the bucket existing). */
    private record Target(BucketStore.Bucket bucket, ObjectKey key) {
    }

    private Target target(ServerRequest req, String section) throws SQLException {
        ObjectPath path = ObjectPath.parse(rawPath(req), section);
        ObjectKey key = path.key();
        return new Target(buckets.require(path.bucket()), key);
    }

    private BucketStore.Bucket bucket(ServerRequest req) throws SQLException {
        return buckets.require(new BucketName(req.path().pathParameters().get("bucket")));
    }

    private void uploadStrategy(ServerRequest req, ServerResponse res) throws SQLException {
        Principal principal = credentials.user(req);
        BucketName name = new BucketName(req.path().pathParameters().get("bucket"));
        JsonFields body = RequestBody.object(req);
        String filename = body.string("filename").filter(f -> !f.isEmpty())
                .orElseThrow(() -> Uploads.invalid("Filename is required"));
        ObjectKey key = new ObjectKey(filename);
        BucketStore.Bucket bucket = buckets.require(name);
        Optional<Long> size = body.integer("size");
        size.ifPresent(declared -> uploads.checkSize(bucket, declared));
        uploads.checkWritable(principal, name, key);

        ObjectNode strategy = Json.object();
        Optional<S3Presigning> presigning = store.presigning();
        if (presigning.isPresent()) {
            S3Presigning.PresignedPost post = presigning.get().upload(name, key, uploads.limit(bucket),
                    Duration.ofSeconds(Downloads.DEFAULT_EXPIRES_IN));
            strategy.put("method", "presigned");
            strategy.put("uploadUrl", post.url());
            ObjectNode fields = strategy.putObject("fields");
            post.fields().forEach(fields::put);
            strategy.put("key", key.value());
            strategy.put("confirmRequired", true);
            strategy.put("confirmUrl", "/api/storage/buckets/" + name + "/objects/" + key.urlEncoded() + "/" + CONFIRM_UPLOAD);
            strategy.put("expiresAt", IsoTime.of(post.expiresAt()));
        } else {
            strategy.put("method", "direct");
            strategy.put("uploadUrl", StoredObject.objectUrl(baseUrl.get(), name, key));
            strategy.put("key", key.value());
            strategy.put("confirmRequired", false);
        }
        Json.send(res, strategy);
    }

    /** PUT: create or replace the object at the key in the path. */
    private void upload(ServerRequest req, ServerResponse res) throws SQLException {
        Principal principal = credentials.user(req);
        Target target = target(req, OBJECTS);
        uploads.checkWritable(principal, target.bucket().name(), target.key());
        StoredObject stored = uploads.receive(principal, target.bucket(), req, fileName -> target.key());
        Json.send(res, 200, stored.storageFile(baseUrl.get()));
    }

    /** POST: upload under a key the server generates from the file name. */
    private void uploadWithGeneratedKey(ServerRequest req, ServerResponse res) throws SQLException {
        Principal principal = credentials.user(req);
        BucketStore.Bucket bucket = bucket(req);
        // Policies seldom depend on the generated name, so a probe key turns refused callers away early.
        uploads.checkWritable(principal, bucket.name(), uploads.generatedKey(Optional.empty()));
        StoredObject stored = uploads.receive(principal, bucket, req, uploads::generatedKey);
        Json.send(res, 201, stored.storageFile(baseUrl.get()));
    }

    private void download(ServerRequest req, ServerResponse res, boolean headOnly) throws SQLException, IOException {
        Target target = target(req, OBJECTS);
        downloads.serve(req, res, target.bucket(), target.key(), headOnly);
    }

    private void downloadStrategy(ServerRequest req, ServerResponse res) throws SQLException {
        Target target = target(req, DOWNLOAD_STRATEGY + "/" + OBJECTS);
        long expiresIn = req.query().first("expiresIn").map(ObjectService::seconds).orElse(Downloads.DEFAULT_EXPIRES_IN);
        sendStrategy(req, res, target.bucket(), target.key(), expiresIn);
    }

    private void sendStrategy(ServerRequest req, ServerResponse res, BucketStore.Bucket bucket, ObjectKey key, long expiresIn)
            throws SQLException {
        ObjectNode strategy = downloads.strategy(req, bucket, key, expiresIn, baseUrl.get());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, strategy);
    }

    /** {@code POST …/objects/<key>/download-strategy} (deprecated alias) and {@code …/confirm-upload}. */
    private void objectAction(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        ObjectPath path = ObjectPath.parse(rawPath(req), OBJECTS);
        Optional<ObjectKey> strategyKey = path.keyBefore(DOWNLOAD_STRATEGY);
        if (strategyKey.isPresent()) {
            JsonFields body = RequestBody.object(req);
            long expiresIn = body.integer("expiresIn").orElse(Downloads.DEFAULT_EXPIRES_IN);
            sendStrategy(req, res, buckets.require(path.bucket()), strategyKey.get(), expiresIn);
            return;
        }
        Optional<ObjectKey> confirmKey = path.keyBefore(CONFIRM_UPLOAD);
        if (confirmKey.isPresent()) {
            confirmUpload(req, res, path.bucket(), confirmKey.get());
            return;
        }
        throw new ApiException(404, "NOT_FOUND", "Endpoint " + req.path().path() + " not found");
    }

    /** After a presigned POST: check the bytes arrived, within the limit, then write the row as the caller. */
    private void confirmUpload(ServerRequest req, ServerResponse res, BucketName name, ObjectKey key)
            throws SQLException, IOException {
        Principal principal = credentials.user(req);
        BucketStore.Bucket bucket = buckets.require(name);
        RequestBody.object(req);
        long size = store.size(name, key).orElseThrow(() -> new ApiException(404, "STORAGE_NOT_FOUND",
                "Upload not found for key \"" + key + "\" in bucket \"" + name + "\"", "Upload the file to the presigned URL first."));
        if (size > uploads.limit(bucket)) {
            store.delete(name, key);
            throw Uploads.tooLarge(uploads.limit(bucket));
        }
        String mimeType = sniff(name, key);
        StoredObject stored;
        try {
            stored = transactions.run(principal, false, connection -> ObjectRows.upsert(connection, name, key, size, mimeType,
                    null, principal.userId().orElse(null)));
        } catch (SQLException e) {
            throw Uploads.permissionDenied(e);
        }
        Json.send(res, stored.storageFile(baseUrl.get()));
    }

    /** The type of bytes that reached S3 directly: their first bytes, read back. */
    private String sniff(BucketName name, ObjectKey key) throws IOException {
        ByteRange head = new ByteRange(0L, (long) ContentTypes.SNIFF_BYTES - 1, null);
        try (ObjectStore.Content content = store.open(name, key, Optional.of(head)).orElseThrow(Downloads::objectNotFound)) {
            byte[] bytes = content.stream().readNBytes(ContentTypes.SNIFF_BYTES);
            return ContentTypes.detect(bytes, bytes.length, key.fileName());
        } catch (ObjectStore.RangeNotSatisfiableException empty) {
            return ContentTypes.detect(new byte[0], 0, key.fileName());
        }
    }

    private void list(ServerRequest req, ServerResponse res) throws SQLException {
        Principal principal = credentials.user(req);
        BucketStore.Bucket bucket = bucket(req);
        int limit = Math.min(MAX_LIMIT, QueryParams.intParam(req, "limit", DEFAULT_LIMIT, 1, Integer.MAX_VALUE));
        int offset = QueryParams.intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        Optional<String> prefix = req.query().first("prefix").asOptional();
        Optional<String> search = req.query().first("search").asOptional();
        ObjectRows.Page page = transactions.run(principal, true,
                connection -> ObjectRows.list(connection, bucket.name(), prefix, search, limit, offset));
        ObjectNode reply = Json.object();
        ArrayNode data = reply.putArray("data");
        String base = baseUrl.get();
        page.objects().forEach(object -> data.add(object.listItem(base)));
        ObjectNode pagination = reply.putObject("pagination");
        pagination.put("offset", offset);
        pagination.put("limit", limit);
        pagination.put("total", page.total());
        reply.put("nextActions", "You can use PUT /api/storage/buckets/:bucketName/objects/:objectKey to upload with a "
                + "specific key, or POST /api/storage/buckets/:bucketName/objects to upload with auto-generated key, and "
                + "GET /api/storage/buckets/:bucketName/objects/:objectKey to download an object.");
        Json.send(res, reply);
    }

    private void delete(ServerRequest req, ServerResponse res) throws SQLException {
        Principal principal = credentials.user(req);
        Target target = target(req, OBJECTS);
        if (!deleteObject(principal, target.bucket().name(), target.key())) {
            throw Downloads.objectNotFound();
        }
        ObjectNode reply = Json.object();
        reply.put("message", "Object deleted successfully");
        Json.send(res, reply);
    }

    private void deleteMany(ServerRequest req, ServerResponse res) throws SQLException {
        Principal principal = credentials.user(req);
        BucketStore.Bucket bucket = bucket(req);
        List<String> keys = RequestBody.object(req).stringList("keys")
                .orElseThrow(() -> ApiException.invalidInput("keys: Required"));
        if (keys.isEmpty()) {
            throw ApiException.invalidInput("keys: Array must contain at least 1 element(s)");
        }
        if (keys.size() > MAX_DELETE_KEYS) {
            throw ApiException.invalidInput("keys: Array must contain at most " + MAX_DELETE_KEYS + " element(s)");
        }
        ObjectNode reply = Json.object();
        ArrayNode results = reply.putArray("results");
        for (String raw : keys) {
            ObjectNode result = results.addObject();
            result.put("key", raw);
            try {
                boolean deleted = deleteObject(principal, bucket.name(), new ObjectKey(raw));
                result.put("status", deleted ? "deleted" : "notFound");
            } catch (ApiException e) {
                result.put("status", "failed");
                result.put("message", e.getMessage());
            } catch (SQLException e) {
                if ("42501".equals(e.getSQLState())) {
                    throw e; // the caller may not delete at all: the whole request is refused
                }
                result.put("status", "failed");
                result.put("message", e.getMessage());
            } catch (UncheckedIOException e) {
                result.put("status", "failed");
                result.put("message", e.getCause().getMessage());
            }
        }
        Json.send(res, reply);
    }

    /**
     * Deletes row and bytes in one transaction as the caller: the row is deleted first (RLS decides,
     * and the row lock orders this against a concurrent upload of the key), then the bytes, then the
     * transaction commits — a failing store leaves both in place.
     */
    private boolean deleteObject(Principal principal, BucketName bucket, ObjectKey key) throws SQLException {
        return transactions.run(principal, false, connection -> {
            if (!ObjectRows.delete(connection, bucket, key)) {
                return false;
            }
            try {
                store.delete(bucket, key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return true;
        });
    }

    private static long seconds(String raw) {
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalidInput("expiresIn: Expected number, received string");
        }
    }
}
