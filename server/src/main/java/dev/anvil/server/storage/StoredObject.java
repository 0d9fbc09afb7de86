package dev.anvil.server.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.PercentEncoding;

/**
 * One row of {@code storage.objects}, and the two JSON shapes the contract gives it: the SDK's
 * {@code StorageFile} (upload responses) and the list item (raw columns plus the camel-case ones).
 */
record StoredObject(String bucket, String key, long size, String mimeType, Instant uploadedAt, String uploadedBy,
                    String uploadedVia, String s3AccessKeyId, String etag) {

    static final String COLUMNS = "bucket, key, size, mime_type, uploaded_at, uploaded_by, uploaded_via, s3_access_key_id, etag";


    static StoredObject from(ResultSet row) throws SQLException {
        return new StoredObject(row.getString("bucket"), row.getString("key"), row.getLong("size"), row.getString("mime_type"),
                row.getObject("uploaded_at", OffsetDateTime.class).toInstant(), row.getString("uploaded_by"),
                row.getString("uploaded_via"), row.getString("s3_access_key_id"), row.getString("etag"));
    }

    /**
     * {@code <base>/api/storage/buckets/<bucket>/objects/<encoded key>?v=<version>}: the version
     * changes on every replacement, so caches keyed by URL never serve stale bytes.
     */
    String url(String baseUrl) {
        String version = etag != null && !etag.isBlank() ? PercentEncoding.encodeUriComponent(etag.replace("\"", ""))
                : Long.toString(uploadedAt.toEpochMilli());
        return objectUrl(baseUrl, new BucketName(bucket), new ObjectKey(key)) + "?v=" + version;
    }

    static String objectUrl(String baseUrl, BucketName bucket, ObjectKey key) {
        return baseUrl + "/api/storage/buckets/" + bucket.value() + "/objects/" + key.urlEncoded();
    }

    /** The SDK's {@code StorageFile}. */
    ObjectNode storageFile(String baseUrl) {
        ObjectNode file = Json.object();
        file.put("bucket", bucket);
        file.put("key", key);
        file.put("size", size);
        file.put("mimeType", mimeType);
        file.put("uploadedAt", IsoTime.of(uploadedAt));
        file.put("url", url(baseUrl));
        return file;
    }

    /** A list item: the row's columns as InsForge returns them, plus {@code mimeType}, {@code uploadedAt}, {@code url}. */
    ObjectNode listItem(String baseUrl) {
        ObjectNode item = Json.object();
        item.put("bucket", bucket);
        item.put("key", key);
        item.put("size", size);
        item.put("mime_type", mimeType);
        item.put("uploaded_at", IsoTime.of(uploadedAt));
        item.put("uploaded_by", uploadedBy);
        item.put("uploaded_via", uploadedVia);
        item.put("s3_access_key_id", s3AccessKeyId);
        item.put("etag", etag);
        // The StorageFile fields follow; bucket, key and size keep their places.
        item.setAll(storageFile(baseUrl));
        return item;
    }
}
