package dev.anvil.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.MultipartReader;
import dev.anvil.server.http.Principal;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * An upload from request to object. The body is streamed through {@link MultipartReader} into the
 * store's staging area — never held in memory, and refused with 413 the moment it crosses the limit.
 * Only then, in one transaction as the caller's role, is the metadata row written (RLS decides) and
 * the staged bytes committed under the key; the transaction commits last. So a refused, failed or
 * killed upload leaves no object and no row, and a replaced object is swapped atomically.
 */
final class Uploads {

    private static final System.Logger LOG = System.getLogger(Uploads.class.getName());
    /** Allowance for multipart framing when refusing a body by its Content-Length alone. */
    static final long MULTIPART_OVERHEAD = 1024 * 1024;
    static final String FILE_FIELD = "file";

    private final ObjectStore store;
    private final RoleTransaction transactions;
    private final OptionalLong fixedLimit;
    private final Clock clock;

    Uploads(ObjectStore store, RoleTransaction transactions, OptionalLong fixedLimit, Clock clock) {
        this.store = store;
        this.transactions = transactions;
        this.fixedLimit = fixedLimit;
        this.clock = clock;
    }

    /** The largest file this bucket takes: the fixed override, else the storage config's maxFileSizeMb. */
    long limit(BucketStore.Bucket bucket) {
        return fixedLimit.orElse(bucket.maxUploadBytes());
    }

    /** A server-generated key for an uploaded file name. */
    ObjectKey generatedKey(Optional<String> fileName) {
        return ObjectKey.generated(fileName.orElse("file"), clock.millis());
    }

    /**
     * Refuses a caller the policies would not let write {@code key}, before the body is read. The
     * API key and admin tokens bypass RLS, so there is nothing to check for them.
     */
    void checkWritable(Principal principal, BucketName bucket, ObjectKey key) throws SQLException {
        if (principal.isAdmin()) {
            return;
        }
        try {
            transactions.run(principal, false, connection -> {
                ObjectRows.checkWritable(connection, bucket, key, principal.userId().orElse(null));
                return null;
            });
        } catch (SQLException e) {
            throw permissionDenied(e);
        }
    }

    /** Refuses a declared size over the limit (the upload-strategy step), before any byte is sent. */
    void checkSize(BucketStore.Bucket bucket, long size) {
        if (size > limit(bucket)) {
            throw tooLarge(limit(bucket));
        }
    }

    /**
     * Streams the {@code file} field of a multipart request into the object chosen by
     * {@code keyForFile} (given the client's file name) and returns its row.
     */
    StoredObject receive(Principal principal, BucketStore.Bucket bucket, ServerRequest req,
                         Function<Optional<String>, ObjectKey> keyForFile) throws SQLException {
        String boundary = MultipartReader.boundaryOf(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null))
                .orElseThrow(() -> missingFile("The request must be multipart/form-data with the file in a field named \"file\""));
        long limit = limit(bucket);
        if (req.headers().contentLength().orElse(0) > limit + MULTIPART_OVERHEAD) {
            throw tooLarge(limit);
        }
        ObjectStore.Staged staged = null;
        boolean committed = false;
        try {
            MultipartReader reader = new MultipartReader(req.content().inputStream(), boundary, limit);
            HeadCapture head = null;
            Optional<String> fileName = Optional.empty();
            Optional<MultipartReader.Part> part;
            while ((part = reader.next()).isPresent()) {
                if (!FILE_FIELD.equals(part.get().name())) {
                    continue;
                }
                if (staged != null) {
                    throw invalid("Only one file may be uploaded per request (one field named \"file\")");
                }
                head = new HeadCapture(part.get().body(), ContentTypes.SNIFF_BYTES);
                staged = store.stage(head);
                fileName = part.get().fileName();
            }
            if (staged == null) {
                throw missingFile("File is required: send it in a multipart field named \"file\"");
            }
            ObjectKey key = keyForFile.apply(fileName);
            String mimeType = ContentTypes.detect(head.bytes(), head.length(), key.fileName());
            ObjectStore.Staged bytes = staged;
            StoredObject stored = transactions.run(principal, false, connection -> {
                StoredObject row = ObjectRows.upsert(connection, bucket.name(), key, bytes.size(), mimeType,
                        bytes.etag().orElse(null), principal.userId().orElse(null));
                commitBytes(bytes, bucket.name(), key, mimeType);
                return row;
            });
            committed = true;
            return stored;
        } catch (DataReader.InsufficientDataAvailableException e) {
            // The client hung up mid-body; nobody is left to read the answer, but no stack trace either.
            throw invalid("The request body ended before the upload was complete");
        } catch (MultipartReader.TooLargeException e) {
            throw tooLarge(limit);
        } catch (MultipartReader.MalformedMultipartException e) {
            throw invalid("Malformed multipart body: " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw mapped(e.getCause());
        } catch (IOException e) {
            throw mapped(e);
        } catch (SQLException e) {
            throw permissionDenied(e);
        } finally {
            if (!committed && staged != null) {
                store.discard(staged);
            }
        }
    }

    private void commitBytes(ObjectStore.Staged staged, BucketName bucket, ObjectKey key, String mimeType) {
        try {
            store.commit(staged, bucket, key, mimeType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RuntimeException mapped(IOException e) {
        if (e instanceof ObjectStore.KeyConflictException conflict) {
            return new ApiException(409, "STORAGE_ALREADY_EXISTS", conflict.getMessage());
        }
        LOG.log(Level.DEBUG, "Upload failed: " + e.getMessage(), e);
        return new UncheckedIOException(e);
    }

    /**
     * For {@code throw permissionDenied(e)}: an RLS refusal (or anon's missing access to the storage
     * schema) becomes a 403 here; any other database error is returned to be rethrown as it is.
     */
    static SQLException permissionDenied(SQLException e) throws ApiException {
        if ("42501".equals(e.getSQLState())) {
            throw new ApiException(403, "STORAGE_PERMISSION_DENIED",
                    "Permission denied: the storage policies do not allow this caller to write this object",
                    "Check the row-level security policies on storage.objects for the caller's role.");
        }
        return e;
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "STORAGE_INVALID_PARAMETER",
                "File exceeds the maximum allowed size of " + describe(limit),
                "Upload a smaller file, or raise maxFileSizeMb with PUT /api/storage/config");
    }

    private static String describe(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MB" : bytes + " bytes";
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "STORAGE_INVALID_PARAMETER", message);
    }

    private static ApiException missingFile(String message) {
        return new ApiException(400, "STORAGE_INVALID_PARAMETER", message,
                "Send multipart/form-data with exactly one file in the field \"file\"");
    }

    /** Passes a stream through while keeping its first bytes for content sniffing. */
    static final class HeadCapture extends InputStream {
        private final InputStream in;
        private final byte[] head;
        private int length;

        HeadCapture(InputStream in, int size) {
            this.in = in;
            this.head = new byte[size];
        }

        byte[] bytes() {
            return head;
        }

        int length() {
            return length;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0 && length < head.length) {
                head[length++] = (byte) b;
            }
            return b;
        }

        @Override
        public int read(byte[] target, int offset, int count) throws IOException {
            int read = in.read(target, offset, count);
            capture(target, offset, read);
            return read;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            return in.transferTo(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int count) throws IOException {
                    capture(bytes, offset, count);
                    out.write(bytes, offset, count);
                }
            });
        }

        private void capture(byte[] bytes, int offset, int count) {
            if (count > 0 && length < head.length) {
                int copy = Math.min(count, head.length - length);
                System.arraycopy(bytes, offset, head, length, copy);
                length += copy;
            }
        }
    }
}
