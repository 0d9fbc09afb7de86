package dev.anvil.server.storage;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Bucket administration and the storage config (contract §4.1), admin only: {@code GET/POST
 * /api/storage/buckets}, {@code PATCH/DELETE /api/storage/buckets/:bucket}, {@code GET/PUT
 * /api/storage/config}.
 */
final class BucketService implements HttpService {

    private static final System.Logger LOG = System.getLogger(BucketService.class.getName());
    private static final int MIN_FILE_SIZE_MB = 1;
    private static final int MAX_FILE_SIZE_MB = 200;

    private final Credentials credentials;
    private final BucketStore buckets;
    private final ObjectStore store;

    BucketService(Credentials credentials, BucketStore buckets, ObjectStore store) {
        this.credentials = credentials;
        this.buckets = buckets;
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/buckets", this::list)
                .post("/buckets", this::create)
                .patch("/buckets/{bucket}", this::update)
                .delete("/buckets/{bucket}", this::delete)
                .get("/config", this::config)
                .put("/config", this::updateConfig);
    }

    private void list(ServerRequest req, ServerResponse res) throws SQLException {
        credentials.admin(req);
        Json.send(res, buckets.list());
    }

    private void create(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        credentials.admin(req);
        JsonFields body = RequestBody.object(req);
        String name = parameter(() -> body.requiredString("bucketName"));
        boolean isPublic = parameter(() -> body.bool("isPublic").orElse(true));
        BucketName bucket = new BucketName(name);
        buckets.create(bucket, isPublic, () -> store.createBucket(bucket));
        AuditLog.record(req, "CREATE_BUCKET", "STORAGE", Json.object().put("bucketName", bucket.value()).put("isPublic", isPublic));
        ObjectNode reply = Json.object();
        reply.put("message", "Bucket created successfully");
        reply.put("bucketName", bucket.value());
        reply.put("isPublic", isPublic);
        reply.put("nextActions", (isPublic
                ? "This is a PUBLIC bucket - objects can be accessed without authentication."
                : "This is a PRIVATE bucket - authentication is required to access objects.")
                + " You can use /api/storage/buckets/:bucketName/objects/:objectKey to upload an object to the bucket,"
                + " and /api/storage/buckets/:bucketName/objects to list the objects in the bucket.");
        Json.send(res, 201, reply);
    }

    private void update(ServerRequest req, ServerResponse res) throws SQLException {
        credentials.admin(req);
        BucketName bucket = new BucketName(req.path().pathParameters().get("bucket"));
        JsonFields body = RequestBody.object(req);
        boolean isPublic = parameter(() -> body.bool("isPublic")
                .orElseThrow(() -> ApiException.invalidInput("isPublic: Required")));
        if (!buckets.setPublic(bucket, isPublic)) {
            throw BucketStore.notFound(bucket);
        }
        ObjectNode reply = Json.object();
        reply.put("message", "Bucket visibility updated");
        reply.put("bucket", bucket.value());
        reply.put("isPublic", isPublic);
        reply.put("nextActions", isPublic
                ? "Bucket is now PUBLIC - objects can be accessed without authentication."
                : "Bucket is now PRIVATE - authentication is required to access objects.");
        Json.send(res, reply);
    }

    private void delete(ServerRequest req, ServerResponse res) throws SQLException {
        credentials.admin(req);
        BucketName bucket = new BucketName(req.path().pathParameters().get("bucket"));
        if (!buckets.delete(bucket)) {
            throw BucketStore.notFound(bucket);
        }
        AuditLog.record(req, "DELETE_BUCKET", "STORAGE", Json.object().put("bucketName", bucket.value()));
        // The bytes go after the rows are gone: should this fail or the server die first, the leftover
        // bytes are invisible, and creating a bucket of the same name clears them.
        try {
            store.deleteBucket(bucket);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Bucket " + bucket + " was deleted but its bytes could not be: " + e.getMessage());
        }
        ObjectNode reply = Json.object();
        reply.put("message", "Bucket deleted successfully");
        reply.put("nextActions", "You can use POST /api/storage/buckets to create a new bucket, and GET "
                + "/api/storage/buckets/:bucketName/objects to list the objects in the bucket.");
        Json.send(res, reply);
    }

    private void config(ServerRequest req, ServerResponse res) throws SQLException {
        credentials.admin(req);
        Json.send(res, buckets.config());
    }

    private void updateConfig(ServerRequest req, ServerResponse res) throws SQLException {
        credentials.admin(req);
        JsonFields body = RequestBody.object(req);
        long size = body.integer("maxFileSizeMb").orElseThrow(() -> ApiException.invalidInput("maxFileSizeMb: Required"));
        if (size < MIN_FILE_SIZE_MB) {
            throw ApiException.invalidInput("maxFileSizeMb: Number must be greater than or equal to " + MIN_FILE_SIZE_MB);
        }
        if (size > MAX_FILE_SIZE_MB) {
            throw ApiException.invalidInput("maxFileSizeMb: Number must be less than or equal to " + MAX_FILE_SIZE_MB);
        }
        Json.send(res, buckets.updateConfig((int) size));
    }

    /** Bucket request validation failures carry InsForge's storage code rather than INVALID_INPUT. */
    private static <T> T parameter(Supplier<T> read) {
        try {
            return read.get();
        } catch (ApiException e) {
            throw new ApiException(400, "STORAGE_INVALID_PARAMETER", e.getMessage(),
                    "Please check the request body, it must conform with the bucket request schema.");
        }
    }
}
