package dev.anvil.server.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one Node test file ({@code node --test}) from {@code server/src/test/node} against a started
 * server and fails with Node's full output unless every Node test passed. The Node side uses the
 * official clients from npm (installed by the Maven build), unchanged.
 */
public final class NodeSuite {

    private NodeSuite() {
    }

    public static Path directory() {
        String configured = System.getProperty("anvil.node.suite.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("src/test/node");
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new IllegalStateException("Node suites are not installed in " + dir.toAbsolutePath()
                    + " (the Maven build runs npm install there)");
        }
        return dir;
    }

    /** Runs {@code file} with the given environment; returns Node's output when all tests passed. */
    public static String run(String file, Map<String, String> environment) {
        Path dir = directory();
        try {
            Path log = Files.createTempFile("node-suite", ".log");
            ProcessBuilder builder = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec",
                    "--test-timeout=180000", file))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = process.waitFor(10, TimeUnit.MINUTES);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (!finished) {
                throw new AssertionError("Node suite " + file + " did not finish in 10 minutes:\n" + text);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("Node suite " + file + " failed (exit " + process.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("Could not run node: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The usual environment for a suite: where the server is and its keys. */
    public static Map<String, String> environmentFor(TestServer server) {
        return Map.of("ANVIL_URL", server.baseUrl(), "ANVIL_API_KEY", server.apiKey(), "ANVIL_ANON_KEY", server.anonKey());
    }
}
