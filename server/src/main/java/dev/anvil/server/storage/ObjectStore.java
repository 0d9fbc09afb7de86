package dev.anvil.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where object bytes live: {@link LocalObjectStore} (a directory) or {@link S3ObjectStore}. Metadata
 * lives in {@code storage.objects}; a store only holds bytes.
 *
 * <p>Writing is two steps so that a killed upload leaves nothing behind: {@link #stage} streams the
 * bytes somewhere durable but invisible (a temp file, an S3 staging key), then {@link #commit} makes
 * them the object in one atomic step, called while the metadata row is written in the same database
 * transaction. Stray staged bytes from a crash are removed by {@link #sweep} at start.
 */
interface ObjectStore extends AutoCloseable {

    /** Bytes received and held durably, not yet visible as an object. */
    interface Staged {
        long size();

        /** The provider's entity tag, when it computes one. */
        Optional<String> etag();
    }

    /** An object's bytes (or the requested range of them), to be closed by the reader. */
    record Content(InputStream stream, long size, Optional<ByteRange.Served> range) implements AutoCloseable {
        long length() {
            return range.map(ByteRange.Served::length).orElse(size);
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /** The key cannot become an object here (on disk: a folder is in the way, or an object is where a folder must go). */
    final class KeyConflictException extends IOException {
        KeyConflictException(String message) {
            super(message);
        }
    }

    /** The range asked for starts beyond the object (416). */
    final class RangeNotSatisfiableException extends IOException {
        private final long size;

        RangeNotSatisfiableException(long size) {
            super("Range not satisfiable");
            this.size = size;
        }

        long size() {
            return size;
        }
    }

    /** "local" or "s3". */
    String name();

    Staged stage(InputStream content) throws IOException;

    /** Makes staged bytes the object {@code bucket/key}, replacing any previous one atomically. */
    void commit(Staged staged, BucketName bucket, ObjectKey key, String contentType) throws IOException;

    /** Forgets staged bytes; never throws. */
    void discard(Staged staged);

    /** The object's bytes, or the range asked for; empty when the object does not exist. */
    Optional<Content> open(BucketName bucket, ObjectKey key, Optional<ByteRange> range) throws IOException;

    /** The object's size, or empty when it does not exist (confirming presigned uploads). */
    Optional<Long> size(BucketName bucket, ObjectKey key) throws IOException;

    /** Deletes the object; deleting a missing object is not an error. */
    void delete(BucketName bucket, ObjectKey key) throws IOException;

    /** Prepares an empty bucket, clearing bytes a crashed bucket deletion may have left under its name. */
    void createBucket(BucketName bucket) throws IOException;

    /** Removes every object of the bucket. */
    void deleteBucket(BucketName bucket) throws IOException;

    /** Removes staged bytes left by uploads that never finished (the server was killed). */
    void sweep();

    /** Presigned S3 URLs, when the store is configured to hand them out. */
    default Optional<S3Presigning> presigning() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
