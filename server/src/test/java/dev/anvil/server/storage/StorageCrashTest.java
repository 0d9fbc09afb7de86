package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.MultipartBody;
import dev.anvil.server.testing.SharedPostgres;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server is killed with SIGKILL in the middle of two uploads — one replacing an existing
 * object, one creating a new object — and restarted on the same database and storage. Afterwards
 * there is no partial object, no metadata row for the unfinished upload, the replaced object is
 * still the old one, byte for byte, and (local disk) the staging leftovers are swept at start.
 * A second test streams an upload several times larger than the child JVM's whole heap.
 */
class StorageCrashTest {

    static final String API_KEY = "ik_" + "c".repeat(64);

    @TempDir
    Path dataDir;

    Map<String, String> environment(DatabaseLocation database, Map<String, String> extra) {
        Map<String, String> env = TestServer.settingsOn(database, dataDir);
        env.put("ACCESS_API_KEY", API_KEY);
        env.put("ENCRYPTION_KEY", "crash-test-encryption-key");
        env.putAll(extra);
        return env;
    }

    static HttpCall call(ServerProcess server, String method, String path) {
        return HttpCall.to(server.baseUrl(), method, path).bearer(API_KEY);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local", "s3"})
    void aKilledUploadLeavesNoPartialObjectAndNoRow(String provider) throws Exception {
        DatabaseLocation database = SharedPostgres.newDatabase("crash_" + provider);
        Map<String, String> env = environment(database, provider.equals("s3") ? S3ProxyServer.settings("crash") : Map.of());
        byte[] original = random(1024 * 1024, 1);
        List<Socket> unfinished = new ArrayList<>();

        try (ServerProcess first = ServerProcess.start(env, List.of("-Xmx256m"))) {
            assertThat(call(first, "POST", "/api/storage/buckets").json(Map.of("bucketName", "docs")).send().status()).isEqualTo(201);
            MultipartBody v1 = MultipartBody.file(original, "doc.bin", null);
            HttpCall.Reply stored = call(first, "PUT", "/api/storage/buckets/docs/objects/doc.bin").body(v1.contentType(), v1.bytes()).send();
            assertThat(stored.status()).as(stored.toString()).isEqualTo(200);

            // Two uploads of 40 MB each, stopped after 12 MB: a replacement and a new object.
            unfinished.add(startUpload(first.port(), "doc.bin", 40 * 1024 * 1024, 12 * 1024 * 1024));
            unfinished.add(startUpload(first.port(), "new.bin", 40 * 1024 * 1024, 12 * 1024 * 1024));
            Path storageDir = dataDir.resolve("storage");
            String s3Bucket = env.get("AWS_S3_BUCKET");
            waitFor(Duration.ofSeconds(60), provider.equals("local")
                    ? () -> stagedBytes(storageDir) >= 16L * 1024 * 1024
                    : () -> S3ProxyServer.openMultipartUploads(s3Bucket) >= 2);

            first.kill();
        } finally {
            for (Socket socket : unfinished) {
                socket.close();
            }
        }
        if (provider.equals("local")) {
            assertThat(stagedBytes(dataDir.resolve("storage"))).as("the killed uploads left staging files").isPositive();
        }

        try (ServerProcess second = ServerProcess.start(env, List.of("-Xmx256m"))) {
            assertThat(rows(database)).as("no row for the unfinished new object; the replaced one unchanged")
                    .containsExactly("doc.bin:" + original.length);
            HttpCall.Reply doc = HttpCall.to(second.baseUrl(), "GET", "/api/storage/buckets/docs/objects/doc.bin").send();
            assertThat(doc.status()).isEqualTo(200);
            assertThat(doc.bytes()).as("the old object, whole").isEqualTo(original);
            assertThat(HttpCall.to(second.baseUrl(), "GET", "/api/storage/buckets/docs/objects/new.bin").send().status()).isEqualTo(404);

            if (provider.equals("local")) {
                Path storageDir = dataDir.resolve("storage");
                try (Stream<Path> files = Files.walk(storageDir.resolve("docs"))) {
                    assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).containsExactly("doc.bin");
                }
                assertThat(stagedBytes(storageDir)).as("swept at start").isZero();
            } else {
                assertThat(S3ProxyServer.keys(env.get("AWS_S3_BUCKET"))).as("only the committed object is visible under the bucket")
                        .filteredOn(k -> k.startsWith("local/") && !k.contains("/.staging/")).containsExactly("local/docs/doc.bin");
            }

            // And the server works normally afterwards.
            MultipartBody v2 = MultipartBody.file(random(3000, 2), "new.bin", null);
            assertThat(call(second, "PUT", "/api/storage/buckets/docs/objects/new.bin").body(v2.contentType(), v2.bytes()).send().status())
                    .isEqualTo(200);
        }
    }

    /** Streams a file several times the child's heap; memory must not grow with the file. */
    @Test
    void anUploadLargerThanTheHeapStreamsThrough() throws Exception {
        DatabaseLocation database = SharedPostgres.newDatabase("streaming");
        Map<String, String> env = environment(database, Map.of("ANVIL_STORAGE_MAX_UPLOAD_MB", "300"));
        int size = 256 * 1024 * 1024;
        try (ServerProcess server = ServerProcess.start(env, List.of("-Xmx64m"))) {
            assertThat(call(server, "POST", "/api/storage/buckets").json(Map.of("bucketName", "big")).send().status()).isEqualTo(201);
            try (Socket socket = startUpload(server.port(), "huge.bin", size, size)) {
                socket.getOutputStream().write(("\r\n--" + MultipartBody.BOUNDARY + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat(status).as(server.output()).isEqualTo("HTTP/1.1 200");
            }
            HttpCall.Reply head = HttpCall.to(server.baseUrl(), "HEAD", "/api/storage/buckets/big/objects/huge.bin").send();
            assertThat(head.header("Content-Length")).contains(Integer.toString(size));
            assertThat(Files.size(dataDir.resolve("storage/big/huge.bin"))).isEqualTo(size);
        }
    }

    /**
     * Opens a PUT of a {@code total}-byte file and sends its first {@code sent} bytes (a repeating
     * pattern); the caller finishes or abandons it.
     */
    static Socket startUpload(int port, String key, long total, long sent) throws IOException {
        String partHead = "--" + MultipartBody.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + key
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        String partTail = "\r\n--" + MultipartBody.BOUNDARY + "--\r\n";
        long contentLength = partHead.length() + total + partTail.length();
        Socket socket = new Socket("127.0.0.1", port);
        OutputStream out = socket.getOutputStream();
        out.write(("PUT /api/storage/buckets/" + (key.equals("huge.bin") ? "big" : "docs") + "/objects/" + key + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAuthorization: Bearer " + API_KEY + "\r\n"
                + "Content-Type: multipart/form-data; boundary=" + MultipartBody.BOUNDARY + "\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n" + partHead).getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = HexFormat.of().formatHex(random(32 * 1024, total)).getBytes(StandardCharsets.ISO_8859_1);
        long remaining = sent;
        while (remaining > 0) {
            int n = (int) Math.min(chunk.length, remaining);
            out.write(chunk, 0, n);
            remaining -= n;
        }
        out.flush();
        return socket;
    }

    static long stagedBytes(Path storageDir) {
        Path staging = storageDir.resolve(".staging");
        if (!Files.isDirectory(staging)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(staging)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    static List<String> rows(DatabaseLocation database) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT key, size FROM storage.objects ORDER BY key")) {
            while (result.next()) {
                rows.add(result.getString(1) + ":" + result.getLong(2));
            }
        }
        return rows;
    }

    static void waitFor(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
