package dev.anvil.operator.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;

/**
 * A Project's Deno runtime pod as a child process: the command, arguments and environment the
 * operator generated for the Deno Deployment's container, run with what the server build put in
 * {@code server/target/deno} — the same layout the runtime image has at {@value #IMAGE_RUNTIME_DIR}
 * (see {@code server/deno-runtime.Dockerfile}). Only what belongs to the pod is replaced: the image's
 * paths (its {@code deno} on the PATH, its runtime directory) and the listen address (a free loopback
 * port instead of the pod's own IP).
 */
public final class DenoRuntimeProcess implements AutoCloseable {

    /** Where the runtime image keeps the host; the build's copy is {@code server/target/deno}. */
    public static final String IMAGE_RUNTIME_DIR = "/opt/anvil/deno";

    private final Process process;
    private final URI url;
    private final StringBuffer output = new StringBuffer();
    private final Thread shutdownHook;

    private DenoRuntimeProcess(Process process, URI url) {
        this.process = process;
        this.url = url;
        this.shutdownHook = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The runtime the server build laid out, or a failure that says how to get it. */
    public static Path runtimeDirectory() {
        Path directory = TestCluster.repoRoot().resolve("server/target/deno");
        if (!Files.isRegularFile(directory.resolve("host.ts")) || !Files.isDirectory(directory.resolve("node_modules/@deno"))) {
            throw new IllegalStateException("This test runs the real function runtime but " + directory
                    + " (host.ts and node_modules with Deno) is missing. Build the server first: ./anvil build "
                    + "(or run the whole reactor: ./anvil test).");
        }
        return directory;
    }

    /** The Deno binary npm installed for this machine ({@code node_modules/@deno/<platform>/deno}). */
    static Path binary(Path runtime) {
        try (Stream<Path> platforms = Files.list(runtime.resolve("node_modules/@deno"))) {
            return platforms.map(platform -> platform.resolve("deno")).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No executable Deno under " + runtime.resolve("node_modules/@deno")
                            + ": rebuild the server (./anvil build)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the container's command with exactly {@code env} (nothing inherited) and waits for the
     * host's {@code {"event":"listening"}} line.
     */
    public static DenoRuntimeProcess start(Container container, Map<String, String> env, int port) {
        Path runtime = runtimeDirectory();
        List<String> command = new ArrayList<>();
        List<String> image = container.getCommand();
        if (image.isEmpty() || !image.get(0).equals("deno")) {
            throw new AssertionError("The Deno container should run deno from the image's PATH, runs " + image);
        }
        command.add(binary(runtime).toString());
        image.stream().skip(1).map(arg -> arg.replace(IMAGE_RUNTIME_DIR, runtime.toString())).forEach(command::add);
        command.addAll(listeningOn(container.getArgs(), port));

        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(env);
            DenoRuntimeProcess host = new DenoRuntimeProcess(builder.start(), URI.create("http://127.0.0.1:" + port));
            host.awaitListening(command);
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pod's arguments with its listen address replaced; both must be there to be replaced. */
    private static List<String> listeningOn(List<String> args, int port) {
        List<String> replaced = new ArrayList<>();
        boolean portSet = false;
        boolean hostnameSet = false;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                replaced.add("--port=" + port);
                portSet = true;
            } else if (arg.startsWith("--hostname=")) {
                replaced.add("--hostname=127.0.0.1");
                hostnameSet = true;
            } else {
                replaced.add(arg);
            }
        }
        if (!portSet || !hostnameSet) {
            throw new AssertionError("The Deno container's arguments should set --port and --hostname: " + args);
        }
        return replaced;
    }

    private void awaitListening(List<String> command) {
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread.ofVirtual().name("deno-runtime-output").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.startsWith("{\"event\":\"listening\"")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            listening.completeExceptionally(new IllegalStateException("the host closed its output"));
        });
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException("The runtime host did not listen (" + e.getMessage() + "): " + command
                    + "\n" + output, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return url;
    }

    public String output() {
        return output.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }
}
