package dev.anvil.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.EmbeddedDatabase;

/**
 * A Postgres of a test's own (not the shared one other test classes use), which the test can
 * restart: a fast shutdown (SIGINT) cuts every client off, as a real restart or failover does, and
 * the server comes back on the same port and data.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedDatabase postgres;

    private RestartablePostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
        this.postgres = start(dataDir, port);
    }

    public static RestartablePostgres start() {
        try {
            Path dataDir = Files.createTempDirectory("anvil-restartable-pg");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            // A fixed port, so clients reconnect to the same address after a restart.
            return new RestartablePostgres(dataDir, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized DatabaseLocation location() {
        return postgres.location();
    }

    /** Stops Postgres with a fast shutdown, waits until it has exited, and starts it again. */
    public synchronized void restart() {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
            new ProcessBuilder("kill", "-INT", String.valueOf(pid)).inheritIO().start().waitFor();
            ProcessHandle.of(pid).ifPresent(process -> process.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            postgres.close();
            postgres = start(dataDir, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static EmbeddedDatabase start(Path dataDir, int port) {
        return EmbeddedDatabase.start(dataDir, port);
    }

    @Override
    public synchronized void close() {
        postgres.close();
    }
}
