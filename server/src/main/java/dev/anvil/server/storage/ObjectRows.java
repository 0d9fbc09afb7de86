package dev.anvil.server.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL over {@code storage.objects}. Every method runs on a connection from
 * {@link dev.anvil.server.db.RoleTransaction}, i.e. as the caller's role with their claims, so the
 * table's RLS policies (if the project enabled any) decide which rows exist for the caller — the
 * same rows an end user would see through PostgREST.
 */
final class ObjectRows {

    /** Key order within a bucket, the page asked for, and the total matching rows. */
    record Page(List<StoredObject> objects, long total) {
    }

    private ObjectRows() {
    }

    static Optional<StoredObject> find(Connection connection, BucketName bucket, ObjectKey key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + StoredObject.COLUMNS + " FROM storage.objects WHERE bucket = ? AND key = ?")) {
            statement.setString(1, bucket.value());
            statement.setString(2, key.value());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(StoredObject.from(rows)) : Optional.empty();
            }
        }
    }

    /**
     * Create-or-replace. On replace the uploader ({@code uploaded_by}) is kept, as InsForge does; the
     * row stays locked until the transaction ends, which orders concurrent writers of one key.
     */
    static StoredObject upsert(Connection connection, BucketName bucket, ObjectKey key, long size, String mimeType,
                               String etag, String uploadedBy) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                INSERT INTO storage.objects (bucket, key, size, mime_type, etag, uploaded_by, uploaded_via)
                VALUES (?, ?, ?, ?, ?, ?, 'rest')
                ON CONFLICT (bucket, key) DO UPDATE SET
                    size = EXCLUDED.size, mime_type = EXCLUDED.mime_type, etag = EXCLUDED.etag,
                    uploaded_at = now(), uploaded_via = EXCLUDED.uploaded_via, s3_access_key_id = NULL
                RETURNING\s""" + StoredObject.COLUMNS)) {
            statement.setString(1, bucket.value());
            statement.setString(2, key.value());
            statement.setInt(3, Math.toIntExact(size));
            statement.setString(4, mimeType);
            statement.setString(5, etag);
            statement.setString(6, uploadedBy);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return StoredObject.from(rows);
            }
        }
    }

    /**
     * Whether the caller could write this key: the upsert is tried and rolled back, so a caller the
     * policies refuse is turned away before a single byte of the upload is read.
     */
    static void checkWritable(Connection connection, BucketName bucket, ObjectKey key, String uploadedBy) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("SAVEPOINT storage_write_check");
        }
        try {
            upsert(connection, bucket, key, 0, null, null, uploadedBy);
        } finally {
            try (var statement = connection.createStatement()) {
                statement.execute("ROLLBACK TO SAVEPOINT storage_write_check");
            }
        }
    }

    /** Deletes the row if the caller may; the row stays locked until the transaction ends. */
    static boolean delete(Connection connection, BucketName bucket, ObjectKey key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "DELETE FROM storage.objects WHERE bucket = ? AND key = ? RETURNING key")) {
            statement.setString(1, bucket.value());
            statement.setString(2, key.value());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** {@code prefix} matches literally (LIKE wildcards escaped); {@code search} is a substring. */
    static Page list(Connection connection, BucketName bucket, Optional<String> prefix, Optional<String> search,
                     int limit, int offset) throws SQLException {
        StringBuilder where = new StringBuilder(" FROM storage.objects WHERE bucket = ?");
        List<String> parameters = new ArrayList<>();
        parameters.add(bucket.value());
        if (prefix.isPresent() && !prefix.get().isEmpty()) {
            where.append(" AND key LIKE ?");
            parameters.add(escapeLike(prefix.get()) + "%");
        }
        if (search.isPresent() && !search.get().isBlank()) {
            where.append(" AND key LIKE ?");
            parameters.add("%" + escapeLike(search.get().trim()) + "%");
        }
        List<StoredObject> objects = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + StoredObject.COLUMNS + where + " ORDER BY key LIMIT ? OFFSET ?")) {
            int index = bind(statement, parameters);
            statement.setInt(index, limit);
            statement.setInt(index + 1, offset);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    objects.add(StoredObject.from(rows));
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT count(*)" + where)) {
            bind(statement, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return new Page(objects, rows.getLong(1));
            }
        }
    }

    private static int bind(PreparedStatement statement, List<String> parameters) throws SQLException {
        int index = 1;
        for (String parameter : parameters) {
            statement.setString(index++, parameter);
        }
        return index;
    }

    /** LIKE's default escape character is the backslash. */
    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
