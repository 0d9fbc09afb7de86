package dev.anvil.server.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Anvil server in a child JVM ({@code dev.anvil.server.Main} from the test classpath), so a test
 * can kill it with SIGKILL — no shutdown hook, no finally block — or cap its heap.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    private final Process process;
    private final String baseUrl;
    private final List<String> output;

    private ServerProcess(Process process, String baseUrl, List<String> output) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.output = output;
    }

    static ServerProcess start(Map<String, String> environment, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.anvil.server.Main");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            List<String> output = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<String> url = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        output.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            url.complete(m.group(1));
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
                url.completeExceptionally(new IllegalStateException("server exited: " + String.join("\n", output)));
            });
            return new ServerProcess(process, url.get(90, TimeUnit.SECONDS), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("server did not start in 90 s");
        } catch (Exception e) {
            throw new IllegalStateException("server did not start: " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>} of the child. */
    String baseUrl() {
        return baseUrl.replace("localhost", "127.0.0.1");
    }

    int port() {
        return Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1));
    }

    long pid() {
        return process.pid();
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }
}
