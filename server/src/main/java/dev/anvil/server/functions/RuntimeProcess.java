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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local runtime host: {@code deno run host.ts} as a child process on loopback, started on
 * first use and restarted whenever it dies (a function cannot crash it by running out of heap, but
 * a runaway allocation outside the heap, or a kill, can). The host picks its own port and prints
 * it; it also exits when this process goes away, because it stops at the end of its stdin.
 *
 * <p>What the child may do is set by Deno's permissions: network, and reading the one environment
 * variable that carries the control token (removed once read). No file system, no subprocesses,
 * no FFI, no system information, no remote module imports; its environment is cleared.
 */
final class RuntimeProcess implements RuntimeEndpoint {

    private static final System.Logger LOG = System.getLogger(RuntimeProcess.class.getName());
    private static final Pattern LISTENING = Pattern.compile("^\\{\"event\":\"listening\",\"port\":(\\d+)}$");
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Heap of the host's own isolate (routing and bookkeeping only; functions have their own). */
    private static final int HOST_HEAP_MB = 256;

    private final DenoInstallation installation;
    private final List<String> hostOptions;
    private final String token;
    private final Path cacheDirectory;
    private final Object lock = new Object();
    private Process process;
    private URI endpoint;
    private boolean started;
    private boolean closed;
    private long restarts;

    RuntimeProcess(DenoInstallation installation, List<String> hostOptions, String token, Path cacheDirectory) {
        this.installation = installation;
        this.hostOptions = List.copyOf(hostOptions);
        this.token = token;
        this.cacheDirectory = cacheDirectory;
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
                Thread.ofVirtual().name("function-runtime-supervisor").start(this::supervise);
            }
            while ((endpoint == null || endpoint.equals(stale)) && !closed) {
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
            return endpoint;
        }
    }

    @Override
    public boolean started() {
        synchronized (lock) {
            return endpoint != null;
        }
    }

    /** The current host process id, for operators (and the test that kills it). */
    OptionalLong pid() {
        synchronized (lock) {
            return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
        }
    }

    long restarts() {
        synchronized (lock) {
            return restarts;
        }
    }

    private void supervise() {
        Duration backoff = MIN_BACKOFF;
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            long startedAt = System.nanoTime();
            try {
                Process child = launch();
                synchronized (lock) {
                    if (closed) {
                        destroy(child);
                        return;
                    }
                    process = child;
                }
                Thread.ofVirtual().name("function-runtime-stderr").start(() -> drain(child.getErrorStream()));
                readStdout(child);
                int exit = child.waitFor();
                synchronized (lock) {
                    endpoint = null;
                    process = null;
                    if (closed) {
                        return;
                    }
                    restarts++;
                }
                LOG.log(Level.WARNING, "The function runtime exited (code " + exit + "); restarting it");
            } catch (IOException e) {
                LOG.log(Level.ERROR, "Could not start the function runtime: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            // A host that keeps dying at once is retried less and less often; one that ran a while
            // is restarted at once.
            boolean ranLong = System.nanoTime() - startedAt > Duration.ofSeconds(10).toNanos();
            backoff = ranLong ? MIN_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
            try {
                Thread.sleep(ranLong ? MIN_BACKOFF : backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Process launch() throws IOException {
        Files.createDirectories(cacheDirectory);
        List<String> command = new ArrayList<>(List.of(installation.binary().toString(), "run",
                "--no-prompt", "--no-remote", "--no-check", "--unstable-net",
                "--allow-net", "--allow-env=ANVIL_RUNTIME_TOKEN",
                "--v8-flags=--max-old-space-size=" + HOST_HEAP_MB,
                "--config", installation.configFile().toString(),
                installation.hostScript().toString(),
                "--port=0", "--hostname=127.0.0.1", "--exit-with-stdin"));
        command.addAll(hostOptions);
        ProcessBuilder builder = new ProcessBuilder(command).directory(installation.hostDirectory().toFile());
        // Nothing of this server's environment (database URL, keys) reaches the runtime.
        builder.environment().clear();
        builder.environment().put("ANVIL_RUNTIME_TOKEN", token);
        builder.environment().put("DENO_DIR", cacheDirectory.toString());
        builder.environment().put("DENO_NO_UPDATE_CHECK", "1");
        builder.environment().put("NO_COLOR", "1");
        return builder.start();
    }

    private void readStdout(Process child) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Matcher listening = LISTENING.matcher(line.trim());
                if (listening.matches()) {
                    synchronized (lock) {
                        endpoint = URI.create("http://127.0.0.1:" + listening.group(1));
                        lock.notifyAll();
                    }
                    LOG.log(Level.DEBUG, "Function runtime listening on 127.0.0.1:" + listening.group(1));
                } else {
                    LOG.log(Level.INFO, "[function] " + line);
                }
            }
        }
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

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        Process child;
        synchronized (lock) {
            closed = true;
            child = process;
            endpoint = null;
            lock.notifyAll();
        }
        if (child != null) {
            destroy(child);
        }
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
