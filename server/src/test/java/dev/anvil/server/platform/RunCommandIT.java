package dev.anvil.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, as a user types it: {@code ./anvil run} from the repository root brings
 * the server up on :7130 on the embedded database, and {@code /api/health} answers.
 */
class RunCommandIT {

    @Test
    void readmeRunCommandServesHealthOnTheDefaultPort(@TempDir Path dataDir) throws Exception {
        Path root = Path.of(System.getProperty("anvil.repo.root", "..")).toRealPath();
        Path log = dataDir.resolve("run.log");
        ProcessBuilder builder = new ProcessBuilder("./anvil", "run")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("ANVIL_DATA_DIR", dataDir.resolve("state").toString());
        Process process = builder.start();
        try {
            JsonNode health = awaitHealth(process, log, "http://127.0.0.1:7130/api/health");
            assertThat(health.get("status").asText()).isEqualTo("ok");
            // The banner is printed once the start returns, which is just after the listener answers.
            long bannerDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(log).contains("Admin API key:") && System.nanoTime() < bannerDeadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).contains("listening on http://localhost:7130", "Admin API key:");
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * A SIGTERM stops the embedded Postgres too, whenever it comes: in the middle of the start (the
     * shutdown hook is registered before anything starts, and closes a start in progress), or as
     * soon as the health route answers — as a benchmark or an impatient supervisor sends it. The
     * hook used to be registered only once the start had returned, a moment after the listener
     * answered, and a SIGTERM in between left Postgres running for the next start to find and stop.
     */
    @Test
    void aSigtermDuringOrJustAfterTheStartStopsPostgresToo(@TempDir Path dataDir) throws Exception {
        Path pidFile = dataDir.resolve("state/postgres/postmaster.pid");
        for (int round = 0; round < 4; round++) {
            boolean duringStart = round % 2 == 1; // the first round makes the data directory
            Path log = dataDir.resolve("run-" + round + ".log");
            Process process = startJar(dataDir, log, Map.of());
            try {
                if (duringStart) {
                    // Postgres is up and the start goes on (pool, keys, domains, routing) for a while.
                    awaitLogLine(process, log, "Embedded Postgres 17 at");
                } else {
                    awaitHealth(process, log, "http://127.0.0.1:7139/api/health");
                }
            } finally {
                process.destroy();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
            }
            String output = Files.readString(log);
            assertThat(output).doesNotContain("Shutdown in progress", "left running by a previous server");
            assertThat(pidFile).as("Postgres stopped with the server (round %d):%n%s", round, output).doesNotExist();
        }
    }

    /**
     * The embedded Postgres' port is held by something that accepts connections and never answers:
     * the start fails within seconds, saying why, instead of waiting forever on the readiness probe.
     * (A server JVM of its own: in the test JVM zonky's shared binaries make every start go through
     * zonky, whose own probe has no timeout; the server's later starts launch Postgres directly.)
     */
    @Test
    void aTakenPostgresPortFailsTheStartWithTheReason(@TempDir Path dataDir) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, String> taken = Map.of("ANVIL_EMBEDDED_PG_PORT", String.valueOf(silent.getLocalPort()));
            // The first start (initdb, through zonky) gives up too.
            assertStartFails(startJar(dataDir, dataDir.resolve("first-taken.log"), taken), dataDir.resolve("first-taken.log"),
                    "Could not start embedded Postgres");

            Path firstLog = dataDir.resolve("first.log");
            Process first = startJar(dataDir, firstLog, Map.of());
            try {
                awaitHealth(first, firstLog, "http://127.0.0.1:7139/api/health"); // a working data directory
            } finally {
                first.destroy();
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertStartFails(startJar(dataDir, dataDir.resolve("taken.log"), taken), dataDir.resolve("taken.log"),
                    "Postgres exited during start", "could not bind");
        }

        // Another Postgres on the port (a system one, say): it answers the probe, but it is not the
        // one launched, and the server must not migrate a stranger's database as its superuser.
        // Here the stranger is the Postgres of a running Anvil on another data directory.
        Path strangerLog = dataDir.resolve("stranger.log");
        Process stranger = startJar(dataDir.resolve("stranger"), strangerLog, Map.of("PORT", "7138"));
        try {
            awaitHealth(stranger, strangerLog, "http://127.0.0.1:7138/api/health");
            String strangersPort = Files.readString(strangerLog).replaceAll("(?s).*Embedded Postgres 17 at jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/.*", "$1");
            Map<String, String> strangers = Map.of("ANVIL_EMBEDDED_PG_PORT", strangersPort);
            Path fresh = dataDir.resolve("fresh");
            assertStartFails(startJar(fresh, dataDir.resolve("fresh-1.log"), strangers), dataDir.resolve("fresh-1.log"),
                    "is answered by another Postgres"); // a first start, through zonky
            assertStartFails(startJar(dataDir, dataDir.resolve("stranger-port.log"), strangers),
                    dataDir.resolve("stranger-port.log"), "is answered by another Postgres"); // a later one
            assertThat(stranger.isAlive()).as("the other server runs on, its Postgres untouched").isTrue();
            assertThat(healthOf("http://127.0.0.1:7138/api/health")).isEqualTo(200);
        } finally {
            stranger.destroy();
            assertThat(stranger.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void assertStartFails(Process process, Path log, String... reasons) throws Exception {
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited).as("the start gave up:%n%s", output).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output).contains(reasons);
    }

    private static int healthOf(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Process startJar(Path dataDir, Path log, Map<String, String> settings) throws Exception {
        Path root = Path.of(System.getProperty("anvil.repo.root", "..")).toRealPath();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-jar", "server/target/anvil-server.jar")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("ANVIL_DATA_DIR", dataDir.resolve("state").toString());
        builder.environment().put("PORT", "7139");
        builder.environment().put("ANVIL_FUNCTIONS_PORT", "off");
        builder.environment().putAll(settings);
        return builder.start();
    }

    private static void awaitLogLine(Process process, Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.readString(log).contains(line)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + line + "' in the log:\n" + Files.readString(log));
            }
            Thread.sleep(2);
        }
    }

    private static JsonNode awaitHealth(Process process, Path log, String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("./anvil run exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return Json.parse(response.body());
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no answer at " + url + " within 3 minutes:\n" + Files.readString(log));
    }
}
