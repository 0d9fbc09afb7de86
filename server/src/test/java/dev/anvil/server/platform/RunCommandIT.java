package dev.anvil.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            JsonNode health = awaitHealth(process, log);
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

    private static JsonNode awaitHealth(Process process, Path log) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("./anvil run exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:7130/api/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return Json.parse(response.body());
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer on :7130 within 3 minutes:\n" + Files.readString(log));
    }
}
