package dev.anvil.server.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import dev.anvil.server.AnvilServer;
import dev.anvil.server.config.AnvilConfig;

/**
 * {@code java -XX:AOTCacheOutput=anvil.aot -jar anvil-server.jar warmup}: a training run for the
 * JDK's ahead-of-time cache (JDK 25+). It starts a throw-away instance in a temporary directory —
 * first start (initdb) and a restart, so both embedded-database paths are seen — sends it the
 * requests a client sends first, and stops. The JVM then writes the classes it loaded, linked and
 * profiled into the cache, which roughly halves the next start. {@code ./anvil run} does this once
 * per build; nothing of the user's state is touched.
 */
public final class WarmupCommand {

    private static final String[] PATHS = {"/api/health", "/api/auth/public-config", "/api/not-a-route",
            "/api/storage/buckets", "/api/functions", "/.well-known/jwks.json"};

    private WarmupCommand() {
    }

    public static int run(PrintStream out) {
        Path dir;
        try {
            dir = Files.createTempDirectory("anvil-warmup");
        } catch (IOException e) {
            out.println("warmup: cannot create a temporary directory: " + e.getMessage());
            return 1;
        }
        try {
            Map<String, String> settings = Map.of("ANVIL_DATA_DIR", dir.toString(), "PORT", "0",
                    "ANVIL_HOST", "127.0.0.1", "ANVIL_ACCESS_LOG", "false");
            for (int start = 0; start < 2; start++) {
                try (AnvilServer server = AnvilServer.start(AnvilConfig.of(settings))) {
                    exercise(server);
                }
            }
            return 0;
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void exercise(AnvilServer server) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + server.port();
        String apiKey = server.credentials().projectKeys().apiKey();
        for (int round = 0; round < 50; round++) {
            for (String path : PATHS) {
                try {
                    client.send(HttpRequest.newBuilder(URI.create(base + path)).header("x-api-key", apiKey).build(),
                            HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
