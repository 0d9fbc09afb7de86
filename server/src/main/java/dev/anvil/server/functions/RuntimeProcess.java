package dev.anvil.server.functions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;

/**
 * The local runtime host: {@code deno run host.ts} as a child process on loopback, started on
 * first use and restarted whenever it dies. The host picks its own port and prints it; it exits
 * when this process goes away, because it stops at the end of its stdin.
 *
 * <p>A host can also ask to be replaced ({@code {"event":"recycle"}}): a worker stuck in a busy
 * loop cannot be stopped inside Deno, only by ending the process. A successor is started, new
 * calls go to it as soon as it listens, and the old process is ended once the calls it was
 * running had time to finish — so other functions are not cut off.
 *
 * <p>What the child may do is set by Deno's permissions: network, and reading the one environment
 * variable that carries the control token (removed once read). No file system, no subprocesses,
 * no FFI, no system information, no remote module imports; its environment is cleared.
 *
 * <p>With a public port in its options the host also serves every function itself there
 * (subhosting.ts); it reports that port, and a host that starts must be given every active
 * function for it, so each start is announced to {@link Events}. A successor started for a
 * recycle shares the port with the host it replaces until that one ends.
 */
final class RuntimeProcess implements RuntimeEndpoint {

    private static final System.Logger LOG = System.getLogger(RuntimeProcess.class.getName());
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Heap of the host's own isolate (routing and bookkeeping only; functions have their own). */
    private static final int HOST_HEAP_MB = 256;

    private final DenoInstallation installation;
    private final List<String> hostOptions;
    private final String token;
    private final String eventTag;
    private final Path cacheDirectory;
    private final Duration drain;
    private final Object lock = new Object();
    /** The host taking new calls; its endpoint is null until it listens. */
    private Child current;
    /** A replacement being started for a host that asked to be recycled. */
    private Child successor;
    private boolean started;
    private boolean closed;
    private long restarts;
    private Duration backoff = MIN_BACKOFF;
    private volatile Events events = new Events() {
    };

    /** What a host reports that its server acts on; called on the host's watcher threads. */
    interface Events {
        /** A host (the first, a restarted one, or a recycle's successor) now takes calls at {@code endpoint}. */
        default void hostStarted(URI endpoint) {
        }

        /** The public listener serves on {@code port}. */
        default void directListening(int port) {
        }

        /** The public listener cannot serve (yet); {@code reason} says why. */
        default void directUnavailable(String reason) {
        }
    }

    /** One host process. */
    private static final class Child {
        final Process process;
        final long startedAt = System.nanoTime();
        URI endpoint;

        Child(Process process) {
            this.process = process;
        }
    }

    /** @param drain how long a replaced host keeps running for the calls in flight on it */
    RuntimeProcess(DenoInstallation installation, List<String> hostOptions, String token, Path cacheDirectory,
                   Duration drain) {
        this.installation = installation;
        this.hostOptions = List.copyOf(hostOptions);
        this.token = token;
        this.eventTag = eventTag(token);
        this.cacheDirectory = cacheDirectory;
        this.drain = drain;
    }

    void events(Events events) {
        this.events = events;
    }

    @Override
    public URI await(Duration wait) {
        return awaitOther(null, wait);
    }

    /**
     * Like {@link #await}, but for a host other than {@code stale}: after a connection to a host was
     * refused, its successor (the supervisor restarts it on a new port) is what the caller needs.
     */
    @Override
    public URI awaitOther(URI stale, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            if (!started && !closed) {
                started = true;
                current = launchOrNull(false);
            }
            while (!closed && (current == null || current.endpoint == null || current.endpoint.equals(stale))) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new RuntimeUnavailableException("The function runtime did not start in time");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RuntimeUnavailableException("Interrupted while waiting for the function runtime");
                }
            }
            if (closed) {
                throw new RuntimeUnavailableException("The function runtime is stopped");
            }
            return current.endpoint;
        }
    }

    @Override
    public boolean started() {
        synchronized (lock) {
            return current != null && current.endpoint != null;
        }
    }

    /** The current host process id, for operators (and the test that kills it). */
    OptionalLong pid() {
        synchronized (lock) {
            return current == null ? OptionalLong.empty() : OptionalLong.of(current.process.pid());
        }
    }

    long restarts() {
        synchronized (lock) {
            return restarts;
        }
    }

    /**
     * Starts a host and its watcher; null (logged) when the process cannot even be started. Holds
     * the lock. {@code replacing}: the current host still runs (a recycle).
     */
    private Child launchOrNull(boolean replacing) {
        try {
            Child child = new Child(launch(replacing));
            Thread.ofVirtual().name("function-runtime-stderr").start(() -> drain(child.process.getErrorStream()));
            Thread.ofVirtual().name("function-runtime-watch").start(() -> watch(child));
            return child;
        } catch (IOException e) {
            LOG.log(Level.ERROR, "Could not start the function runtime: " + e.getMessage());
            scheduleRestart(null);
            return null;
        }
    }

    /** Reads what a host prints, and reacts when it exits. */
    private void watch(Child child) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode event = hostEvent(line.trim());
                switch (event == null ? "" : event.path("event").asText()) {
                    case "listening" -> listening(child, URI.create("http://127.0.0.1:" + event.path("port").asInt()));
                    case "recycle" -> recycle(child);
                    case "direct-listening" -> events.directListening(event.path("port").asInt());
                    case "direct-unavailable" -> events.directUnavailable(event.path("reason").asText());
                    default -> LOG.log(Level.INFO, "[function] " + line);
                }
            }
        } catch (IOException e) {
            // the process is gone; handled below
        }
        int exit = waitFor(child.process);
        synchronized (lock) {
            if (child == successor) {
                successor = null;
                if (current == null && !closed) {
                    scheduleRestart(child);
                }
                return;
            }
            if (child != current || closed) {
                return; // a replaced host ending, as intended
            }
            current = null;
            restarts++;
            LOG.log(Level.WARNING, "The function runtime exited (code " + exit + "); restarting it");
            if (successor == null) {
                scheduleRestart(child);
            }
        }
    }

    /**
     * A line the host printed as one of its events, or null: functions write to the same stdout, so
     * an event counts only with the tag derived from the runtime token (protocol.ts, signEvents).
     */
    private JsonNode hostEvent(String line) {
        if (!line.startsWith("{\"event\":")) {
            return null;
        }
        try {
            JsonNode event = Json.mapper().readTree(line);
            return eventTag.equals(event.path("tag").asText()) ? event : null;
        } catch (IOException notAnEvent) {
            return null;
        }
    }

    /** The first 32 hex digits of SHA-256("anvil-runtime-events:" + token), as the host computes it. */
    static String eventTag(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("anvil-runtime-events:" + token).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void listening(Child child, URI endpoint) {
        Child replaced = null;
        boolean takesCalls;
        synchronized (lock) {
            child.endpoint = endpoint;
            if (child == successor) {
                replaced = current;
                current = child;
                successor = null;
            }
            takesCalls = child == current;
            lock.notifyAll();
        }
        if (takesCalls) {
            // Off this thread, which must keep reading what the host prints.
            Thread.ofVirtual().name("function-runtime-started").start(() -> events.hostStarted(endpoint));
        }
        LOG.log(Level.DEBUG, "Function runtime listening on " + endpoint);
        if (replaced != null) {
            Child old = replaced;
            LOG.log(Level.INFO, "New function runtime taking calls; the old one stops in " + drain.toSeconds() + " s");
            Thread.ofVirtual().name("function-runtime-drain").start(() -> {
                sleep(drain);
                destroy(old.process);
            });
        }
    }

    private void recycle(Child child) {
        synchronized (lock) {
            if (child != current || successor != null || closed) {
                return;
            }
            LOG.log(Level.WARNING, "The function runtime has a worker it cannot stop; starting a replacement");
            restarts++;
            successor = launchOrNull(true);
        }
    }

    /** A host that keeps dying at once is restarted less and less often; one that ran a while at once. Holds the lock. */
    private void scheduleRestart(Child died) {
        boolean ranLong = died != null && System.nanoTime() - died.startedAt > Duration.ofSeconds(10).toNanos();
        backoff = ranLong ? MIN_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
        Duration delay = ranLong ? MIN_BACKOFF : backoff;
        Thread.ofVirtual().name("function-runtime-restart").start(() -> {
            sleep(delay);
            synchronized (lock) {
                if (!closed && current == null) {
                    current = launchOrNull(false);
                }
            }
        });
    }

    private Process launch(boolean replacing) throws IOException {
        Files.createDirectories(cacheDirectory);
        // --unstable-net: the public listener's workers share one port (Deno.serve's reusePort).
        List<String> command = new ArrayList<>(List.of(installation.binary().toString(), "run",
                "--no-prompt", "--no-remote", "--no-check", "--unstable-net",
                "--allow-net", "--allow-env=ANVIL_RUNTIME_TOKEN",
                "--v8-flags=--max-old-space-size=" + HOST_HEAP_MB,
                "--config", installation.configFile().toString(),
                installation.hostScript().toString(),
                "--port=0", "--hostname=127.0.0.1", "--exit-with-stdin", "--on-stuck=report"));
        command.addAll(hostOptions);
        if (replacing) {
            command.add("--public-shared");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(installation.hostDirectory().toFile());
        // Nothing of this server's environment (database URL, keys) reaches the runtime.
        builder.environment().clear();
        builder.environment().put("ANVIL_RUNTIME_TOKEN", token);
        builder.environment().put("DENO_DIR", cacheDirectory.toString());
        builder.environment().put("DENO_NO_UPDATE_CHECK", "1");
        builder.environment().put("NO_COLOR", "1");
        return builder.start();
    }

    private static void drain(InputStream stream) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                LOG.log(Level.INFO, "[function] " + line);
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        List<Child> children = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            if (current != null) {
                children.add(current);
            }
            if (successor != null) {
                children.add(successor);
            }
            current = null;
            successor = null;
            lock.notifyAll();
        }
        children.forEach(child -> destroy(child.process));
    }

    /** The host has no children (it may not run subprocesses), but a stop takes any it has with it. */
    private static void destroy(Process child) {
        child.descendants().forEach(ProcessHandle::destroy);
        child.destroy();
        try {
            if (!child.waitFor(3, TimeUnit.SECONDS)) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroyForcibly();
        }
    }
}
