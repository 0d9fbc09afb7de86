package dev.anvil.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files: {@code STORAGE_DIR/<bucket>/<key>}, InsForge's layout, so an InsForge storage
 * directory works as is. Uploads are written to {@code STORAGE_DIR/.staging/<process>/}, fsynced, and
 * renamed into place (rename is atomic on one filesystem), so a reader sees the old object or the
 * new one, never a partial file, and a killed upload leaves only a staging file. Each server process
 * holds a lock on its own staging folder; {@link #sweep} deletes the folders whose lock is free —
 * their process is gone — so replicas sharing a directory never delete each other's uploads.
 * Deleted buckets are renamed into {@code .trash} first, then removed in the background. Bucket
 * names cannot start with a dot, so neither working folder can collide with a bucket.
 */
final class LocalObjectStore implements ObjectStore {

    private static final System.Logger LOG = System.getLogger(LocalObjectStore.class.getName());
    private static final int WRITE_BLOCK = 1024 * 1024;
    private static final int MOVE_ATTEMPTS = 5;

    private static final String LOCK_FILE = ".lock";

    private final Path root;
    private final Path stagingRoot;
    private final Path staging;
    private final Path trash;
    private final FileChannel lockChannel;

    LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.stagingRoot = this.root.resolve(".staging");
        this.staging = stagingRoot.resolve(UUID.randomUUID().toString());
        this.trash = this.root.resolve(".trash");
        try {
            Files.createDirectories(staging);
            Files.createDirectories(trash);
            lockChannel = FileChannel.open(staging.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (lockChannel.tryLock() == null) {
                throw new IOException("could not lock " + staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the storage directory " + this.root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lockChannel.close();
            deleteTree(staging);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not release " + staging + ": " + e.getMessage());
        }
    }

    private record StagedFile(Path file, long size) implements Staged {
        @Override
        public Optional<String> etag() {
            return Optional.empty();
        }
    }

    @Override
    public String name() {
        return "local";
    }

    Path root() {
        return root;
    }

    @Override
    public Staged stage(InputStream content) throws IOException {
        Path file = staging.resolve(UUID.randomUUID() + ".part");
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            BlockWriter writer = new BlockWriter(channel);
            size = content.transferTo(writer);
            writer.flush();
            // Durable before it can become visible: after a crash an object is whole or absent.
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new StagedFile(file, size);
    }

    @Override
    public void commit(Staged staged, BucketName bucket, ObjectKey key, String contentType) throws IOException {
        StagedFile file = (StagedFile) staged;
        Path target = pathOf(bucket, key);
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(target.getParent());
                if (Files.isDirectory(target)) {
                    throw new KeyConflictException("A folder named \"" + key + "\" already exists in bucket \"" + bucket
                            + "\"; on local storage an object cannot have the name of a folder");
                }
                Files.move(file.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory(target.getParent());
                return;
            } catch (FileAlreadyExistsException | NotDirectoryException e) {
                throw new KeyConflictException("\"" + key + "\" would be inside an existing object in bucket \"" + bucket
                        + "\"; on local storage an object cannot also be a folder");
            } catch (NoSuchFileException e) {
                // A concurrent delete pruned the (then empty) parent folder between the two steps; try again.
                if (attempt >= MOVE_ATTEMPTS || !Files.exists(file.file())) {
                    throw e;
                }
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("STORAGE_DIR must be one filesystem (the staging folder is inside it): " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void discard(Staged staged) {
        try {
            Files.deleteIfExists(((StagedFile) staged).file());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not delete staged upload " + staged + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<Content> open(BucketName bucket, ObjectKey key, Optional<ByteRange> range) throws IOException {
        Path file = pathOf(bucket, key);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            long size = channel.size();
            Optional<ByteRange.Served> served = Optional.empty();
            if (range.isPresent()) {
                served = range.get().resolve(size);
                if (served.isEmpty()) {
                    throw new RangeNotSatisfiableException(size);
                }
                channel.position(served.get().start());
            }
            long length = served.map(ByteRange.Served::length).orElse(size);
            InputStream stream = new BoundedInputStream(Channels.newInputStream(channel), length);
            return Optional.of(new Content(stream, size, served));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Optional<Long> size(BucketName bucket, ObjectKey key) throws IOException {
        Path file = pathOf(bucket, key);
        return Files.isRegularFile(file) ? Optional.of(Files.size(file)) : Optional.empty();
    }

    @Override
    public void delete(BucketName bucket, ObjectKey key) throws IOException {
        Path file = pathOf(bucket, key);
        if (Files.isDirectory(file)) {
            return;
        }
        Files.deleteIfExists(file);
        pruneEmptyFolders(file.getParent(), root.resolve(bucket.value()));
    }

    /** Empty folders left by deleted objects would block an object of the same name later. */
    private static void pruneEmptyFolders(Path folder, Path bucketDir) {
        Path current = folder;
        while (current != null && current.startsWith(bucketDir) && !current.equals(bucketDir)) {
            try {
                Files.delete(current);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "Could not prune " + current + ": " + e.getMessage());
                return;
            }
            current = current.getParent();
        }
    }

    @Override
    public void createBucket(BucketName bucket) throws IOException {
        Path dir = root.resolve(bucket.value());
        if (Files.exists(dir)) {
            // No bucket of this name exists (the caller just inserted its row), so these bytes are stale.
            moveToTrash(dir);
        }
        Files.createDirectories(dir);
    }

    @Override
    public void deleteBucket(BucketName bucket) throws IOException {
        Path dir = root.resolve(bucket.value());
        if (Files.exists(dir)) {
            Path trashed = moveToTrash(dir);
            Thread.ofVirtual().name("storage-trash").start(() -> deleteTree(trashed));
        }
    }

    private Path moveToTrash(Path dir) throws IOException {
        Path trashed = trash.resolve(dir.getFileName() + "-" + UUID.randomUUID());
        Files.move(dir, trashed, StandardCopyOption.ATOMIC_MOVE);
        return trashed;
    }

    @Override
    public void sweep() {
        try (Stream<Path> folders = Files.list(stagingRoot)) {
            folders.filter(folder -> !folder.equals(staging) && ownerIsGone(folder)).forEach(LocalObjectStore::deleteTree);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not sweep " + stagingRoot + ": " + e.getMessage());
        }
        try (Stream<Path> leftovers = Files.list(trash)) {
            leftovers.forEach(LocalObjectStore::deleteTree);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not sweep " + trash + ": " + e.getMessage());
        }
    }

    /** A staging folder whose lock can be taken belongs to a process that no longer runs. */
    private static boolean ownerIsGone(Path folder) {
        if (!Files.isDirectory(folder)) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            return channel.tryLock() != null;
        } catch (OverlappingFileLockException e) {
            return false; // another server in this JVM (a test replica) owns it
        } catch (IOException e) {
            return false;
        }
    }

    /** The file of an object; keys are validated, and the check below is defence in depth. */
    Path pathOf(BucketName bucket, ObjectKey key) {
        Path bucketDir = root.resolve(bucket.value());
        Path file = bucketDir.resolve(key.value()).normalize();
        if (!file.startsWith(bucketDir) || file.equals(bucketDir)) {
            throw ObjectKey.invalid("Invalid key. It resolves outside its bucket");
        }
        return file;
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some filesystems cannot fsync a directory; the rename itself has happened.
            LOG.log(Level.DEBUG, "Could not fsync " + dir + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path path) {
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "Could not delete " + p + ": " + e.getMessage());
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not delete " + path + ": " + e.getMessage());
        }
    }

    /**
     * Writes to a file channel in blocks of {@value #WRITE_BLOCK} bytes. Request bodies arrive in
     * small pieces (Helidon reads the socket 8 KiB at a time); writing each piece would cost a system
     * call per 8 KiB, where a plain file copy makes one per MiB. Bytes are copied once, into a direct
     * buffer the kernel reads from.
     */
    private static final class BlockWriter extends OutputStream {
        private final FileChannel channel;
        private final ByteBuffer block = ByteBuffer.allocateDirect(WRITE_BLOCK);

        BlockWriter(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                int n = Math.min(length, block.remaining());
                block.put(bytes, offset, n);
                offset += n;
                length -= n;
                if (!block.hasRemaining()) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            block.flip();
            while (block.hasRemaining()) {
                channel.write(block);
            }
            block.clear();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Reads at most {@code remaining} bytes (a range) of the underlying stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int read = in.read(target, offset, (int) Math.min(length, remaining));
            if (read > 0) {
                remaining -= read;
            }
            return read;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
