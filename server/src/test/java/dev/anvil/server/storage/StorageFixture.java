package dev.anvil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.MultipartBody;
import dev.anvil.server.testing.SharedPostgres;
import dev.anvil.server.testing.TestServer;

/**
 * A real server on one storage provider, for the behaviour suites that run the same tests against
 * {@code local} and {@code s3} (S3Proxy). It also looks at the provider directly, to prove that a
 * refused request wrote nothing and a deletion removed the bytes. (Not AutoCloseable on purpose:
 * JUnit would close it after the first parameterized test that receives it.)
 */
final class StorageFixture {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private final String provider;
    private final TestServer server;
    private final String s3Bucket;

    private StorageFixture(String provider, TestServer server, String s3Bucket) {
        this.provider = provider;
        this.server = server;
        this.s3Bucket = s3Bucket;
    }

    static StorageFixture local(String purpose) {
        return local(purpose, Map.of());
    }

    static StorageFixture local(String purpose, Map<String, String> settings) {
        return new StorageFixture("local", TestServer.start(purpose + "_local", settings), null);
    }

    static StorageFixture s3(String purpose) {
        return s3(purpose, Map.of());
    }

    static StorageFixture s3(String purpose, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(S3ProxyServer.settings(purpose));
        settings.putAll(extra);
        return new StorageFixture("s3", TestServer.start(purpose + "_s3", settings), settings.get("AWS_S3_BUCKET"));
    }

    /** Both providers, for {@code @MethodSource}. */
    static List<StorageFixture> both(String purpose) {
        return List.of(local(purpose), s3(purpose));
    }

    @Override
    public String toString() {
        return provider;
    }

    String provider() {
        return provider;
    }

    TestServer server() {
        return server;
    }

    String database() {
        String url = server.database().jdbcUrl();
        String name = url.substring(url.lastIndexOf('/') + 1);
        return name.contains("?") ? name.substring(0, name.indexOf('?')) : name;
    }

    String apiKey() {
        return server.apiKey();
    }

    /** A token for a user who exists in auth.users (so uploaded_by names a real user). */
    String newUserToken() {
        return userToken(newUser());
    }

    String newUser() {
        String id = UUID.randomUUID().toString();
        SharedPostgres.execute(database(), "INSERT INTO auth.users (id, email) VALUES ('" + id + "', '" + id + "@example.com')");
        return id;
    }

    String userToken(String userId) {
        return server.userToken(userId, userId + "@example.com");
    }

    /** Runs {@code body} with the storage config's upload limit set to {@code megabytes}, then restores the default. */
    void withUploadLimitMb(int megabytes, Runnable body) {
        SharedPostgres.execute(database(), "UPDATE storage.config SET max_file_size_mb = " + megabytes);
        try {
            body.run();
        } finally {
            SharedPostgres.execute(database(), "UPDATE storage.config SET max_file_size_mb = 50");
        }
    }

    /** A new bucket with a unique name. */
    String newBucket(boolean isPublic) {
        String name = "b" + NAMES.incrementAndGet() + (isPublic ? "-pub" : "-priv");
        HttpCall.Reply created = server.post("/api/storage/buckets").bearer(apiKey())
                .json(Map.of("bucketName", name, "isPublic", isPublic)).send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return name;
    }

    HttpCall call(String method, String path) {
        return server.call(method, path);
    }

    /** PUT of a file under a raw (already URL-encoded as the client wants) key. */
    HttpCall.Reply put(String bucket, String rawKey, byte[] content, String credential) {
        return put(bucket, rawKey, MultipartBody.file(content, "upload.bin", "application/octet-stream"), credential);
    }

    HttpCall.Reply put(String bucket, String rawKey, MultipartBody body, String credential) {
        HttpCall call = server.call("PUT", "/api/storage/buckets/" + bucket + "/objects/" + rawKey)
                .body(body.contentType(), body.bytes());
        return (credential == null ? call : call.bearer(credential)).send();
    }

    HttpCall.Reply get(String bucket, String rawKey, String credential) {
        HttpCall call = server.get("/api/storage/buckets/" + bucket + "/objects/" + rawKey);
        return (credential == null ? call : call.bearer(credential)).send();
    }

    /**
     * A request written byte by byte on a socket, for request targets Java's HTTP client refuses to
     * send (malformed percent-encoding); returns the status line and the body.
     */
    String[] rawRequest(String method, String rawTarget, String credential, MultipartBody body) {
        try (Socket socket = new Socket("127.0.0.1", server.anvil().port())) {
            socket.setSoTimeout(10_000);
            String head = method + " " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + credential + "\r\nContent-Type: " + body.contentType() + "\r\n"
                    + "Content-Length: " + body.bytes().length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body.bytes());
            out.flush();
            // Helidon may keep the socket open after "Connection: close"; read by Content-Length.
            InputStream in = socket.getInputStream();
            StringBuilder head2 = new StringBuilder();
            while (!head2.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head2.append((char) b);
            }
            String headers = head2.toString();
            int length = headers.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(0);
            return new String[] {headers.substring(0, headers.indexOf("\r\n")),
                    new String(in.readNBytes(length), StandardCharsets.UTF_8)};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object keys whose bytes the provider holds for this storage bucket. */
    List<String> storedKeys(String bucket) {
        if (s3Bucket != null) {
            String prefix = "local/" + bucket + "/";
            return S3ProxyServer.keys(s3Bucket).stream().filter(k -> k.startsWith(prefix))
                    .map(k -> k.substring(prefix.length())).toList();
        }
        Path dir = storageDir().resolve(bucket);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Staged bytes not (yet) committed: temp files, staging objects, open multipart uploads. */
    List<String> stagingLeftovers() {
        if (s3Bucket != null) {
            List<String> staged = S3ProxyServer.keys(s3Bucket).stream().filter(k -> k.contains("/.staging/")).toList();
            int open = S3ProxyServer.openMultipartUploads(s3Bucket);
            return open == 0 ? staged : Stream.concat(staged.stream(), Stream.of(open + " open multipart uploads")).toList();
        }
        try (Stream<Path> files = Files.walk(storageDir().resolve(".staging"))) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(".lock"))
                    .map(Path::toString).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path storageDir() {
        return server.dataDir().resolve("storage");
    }

    String s3Bucket() {
        return s3Bucket;
    }

    void close() {
        server.close();
    }
}
