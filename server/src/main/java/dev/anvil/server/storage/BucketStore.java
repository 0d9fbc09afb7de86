package dev.anvil.server.storage;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.IsoTime;
import dev.anvil.server.http.Json;

/**
 * The platform side of storage — {@code storage.buckets} and the {@code storage.config} singleton —
 * read and written as the server itself, not as the caller: bucket administration is admin-only,
 * and whether a bucket exists or is public must be known even to anonymous downloaders (anon has no
 * access to the storage schema). Creating a bucket prepares the provider inside the row's
 * transaction, so a provider that fails leaves no bucket behind.
 */
final class BucketStore {

    private final DataSource dataSource;

    BucketStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A bucket and what an upload to it may weigh. */
    record Bucket(BucketName name, boolean isPublic, long maxUploadBytes) {
    }

    /** A provider step run inside a bucket row's transaction. */
    @FunctionalInterface
    interface ProviderStep {
        void run() throws IOException;
    }

    ArrayNode list() throws SQLException {
        ArrayNode buckets = Json.mapper().createArrayNode();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT name, public, created_at FROM storage.buckets ORDER BY name");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                ObjectNode bucket = buckets.addObject();
                bucket.put("name", rows.getString(1));
                bucket.put("public", rows.getBoolean(2));
                bucket.put("createdAt", IsoTime.of(rows.getObject(3, OffsetDateTime.class).toInstant()));
            }
        }
        return buckets;
    }

    /** The bucket, with the configured upload limit, or empty when it does not exist. */
    Optional<Bucket> find(BucketName name) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("""
                     SELECT b.public, coalesce(c.max_file_size_mb, 50)
                     FROM storage.buckets b LEFT JOIN storage.config c ON c.singleton
                     WHERE b.name = ?""")) {
            statement.setString(1, name.value());
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Bucket(name, rows.getBoolean(1), rows.getLong(2) * 1024 * 1024));
            }
        }
    }

    Bucket require(BucketName name) throws SQLException {
        return find(name).orElseThrow(() -> notFound(name));
    }

    static ApiException notFound(BucketName name) {
        return new ApiException(404, "STORAGE_NOT_FOUND", "Bucket \"" + name + "\" does not exist",
                "Create the bucket first using POST /api/storage/buckets");
    }

    void create(BucketName name, boolean isPublic, ProviderStep prepare) throws SQLException, IOException {
        inTransaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT INTO storage.buckets (name, public) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING name")) {
                statement.setString(1, name.value());
                statement.setBoolean(2, isPublic);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new ApiException(409, "STORAGE_ALREADY_EXISTS", "Bucket \"" + name + "\" already exists",
                                "Choose another bucket name, or use the existing bucket");
                    }
                }
            }
            prepare.run();
            return null;
        });
    }

    boolean setPublic(BucketName name, boolean isPublic) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "UPDATE storage.buckets SET public = ?, updated_at = now() WHERE name = ?")) {
            statement.setBoolean(1, isPublic);
            statement.setString(2, name.value());
            return statement.executeUpdate() > 0;
        }
    }

    /** Deletes the bucket and, by cascade, its object rows; false when it did not exist. */
    boolean delete(BucketName name) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("DELETE FROM storage.buckets WHERE name = ?")) {
            statement.setString(1, name.value());
            return statement.executeUpdate() > 0;
        }
    }

    ObjectNode config() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT id, max_file_size_mb, created_at, updated_at FROM storage.config WHERE singleton");
             ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new IllegalStateException("storage.config has no row; the storage migration did not run");
            }
            return configJson(rows);
        }
    }

    ObjectNode updateConfig(int maxFileSizeMb) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("""
                     INSERT INTO storage.config (singleton, max_file_size_mb) VALUES (true, ?)
                     ON CONFLICT (singleton) DO UPDATE SET max_file_size_mb = EXCLUDED.max_file_size_mb, updated_at = now()
                     RETURNING id, max_file_size_mb, created_at, updated_at""")) {
            statement.setInt(1, maxFileSizeMb);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return configJson(rows);
            }
        }
    }

    private static ObjectNode configJson(ResultSet rows) throws SQLException {
        ObjectNode config = Json.object();
        config.put("id", rows.getString(1));
        config.put("maxFileSizeMb", rows.getInt(2));
        config.put("createdAt", IsoTime.of(rows.getObject(3, OffsetDateTime.class).toInstant()));
        config.put("updatedAt", IsoTime.of(rows.getObject(4, OffsetDateTime.class).toInstant()));
        return config;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException, IOException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException, IOException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
