package dev.anvil.server.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;

/**
 * Postgres 17 from the zonky binaries bundled in the jar, with its data under
 * {@code <data dir>/postgres} so users, keys and data survive a restart. Listens on loopback only.
 *
 * <p>The first start goes through zonky, which extracts the binaries (into
 * {@code <data dir>/pg-binaries}) and runs initdb. Later starts launch the extracted
 * {@code postgres} directly and poll for readiness every 10 ms: zonky's own start digests the whole
 * binary archive, sleeps while choosing a port and polls in 100 ms steps, which made up most of the
 * server's restart time. As root, Postgres runs in a user namespace ({@code unshare -U}) as zonky
 * does, because Postgres refuses to run as root.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EmbeddedDatabase.class.getName());
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long one readiness attempt may wait for an answer. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final DatabaseLocation location;
    private final AutoCloseable stopper;
    /** Waits until Postgres accepts connections (nothing to wait for when zonky started it). */
    private final Runnable readiness;
    private boolean ready;

    private EmbeddedDatabase(DatabaseLocation location, AutoCloseable stopper, Runnable readiness) {
        this.location = location;
        this.stopper = stopper;
        this.readiness = readiness;
    }

    /** Starts Postgres and returns once it accepts connections. */
    public static EmbeddedDatabase start(Path anvilDataDir, int port) {
        EmbeddedDatabase database = launch(anvilDataDir, port, () -> { });
        database.awaitReady();
        return database;
    }

    /**
     * Starts Postgres and returns as soon as its process runs, before it accepts connections: the
     * caller prepares its side meanwhile (the server builds its pool) and then calls
     * {@link #awaitReady}. For a caller that launches Postgres before logging is configured (the
     * server does, to overlap the two): {@code beforeLogging} runs, and may wait, before this logs.
     * A first start (initdb through zonky) returns only once Postgres is ready.
     */
    public static EmbeddedDatabase launch(Path anvilDataDir, int port, Runnable beforeLogging) {
        Path pgData = anvilDataDir.resolve("postgres").toAbsolutePath();
        Path binaries = anvilDataDir.resolve("pg-binaries").toAbsolutePath();
        Path log = logFile(anvilDataDir);
        long started = System.nanoTime();
        try {
            Files.createDirectories(anvilDataDir);
            Optional<Path> postgresBinary = extractedPostgres(binaries);
            if (postgresBinary.isPresent() && Files.isRegularFile(pgData.resolve("PG_VERSION"))) {
                return launchDirect(postgresBinary.get(), pgData, port, log, beforeLogging, started);
            }
            beforeLogging.run(); // zonky logs as it goes; the first start is slow anyway
            EmbeddedDatabase database = startWithZonky(binaries, pgData, port, log);
            logReady(database.location, pgData, started);
            return database;
        } catch (IOException e) {
            throw startFailure(pgData, log, e);
        }
    }

    /**
     * Returns once Postgres accepts connections. Its first connection is also the JDBC driver's
     * first, which initialises it on a cold JVM (~0.1 s): that overlaps Postgres' own boot.
     *
     * @throws UncheckedIOException if Postgres exits or does not get ready in time (it is stopped then)
     */
    public synchronized void awaitReady() {
        if (!ready) {
            readiness.run();
            ready = true;
        }
    }

    private static UncheckedIOException startFailure(Path pgData, Path log, IOException cause) {
        return new UncheckedIOException("Could not start embedded Postgres in " + pgData + " (see " + log + "): "
                + cause.getMessage(), cause);
    }

    private static void logReady(DatabaseLocation location, Path pgData, long started) {
        LOG.log(Level.INFO, "Embedded Postgres 17 at " + location.jdbcUrl() + ", data in " + pgData
                + " (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
    }

    public DatabaseLocation location() {
        return location;
    }

    /** Where the embedded Postgres of a data directory writes its log (read back by /api/logs/postgres.logs). */
    public static Path logFile(Path anvilDataDir) {
        return anvilDataDir.resolve("postgres.log").toAbsolutePath();
    }

    @Override
    public void close() {
        try {
            stopper.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Embedded Postgres did not stop cleanly", e);
        }
    }

    /** First start: zonky extracts the binaries next to the data and initialises the cluster. */
    private static EmbeddedDatabase startWithZonky(Path binaries, Path pgData, int port, Path log) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "200")
                // zonky's readiness probe: one that gets no answer gives up, as ours does (awaitReady).
                .setConnectConfig("socketTimeout", String.valueOf(PROBE_TIMEOUT.toSeconds()))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres postgres = builder.start();
        DatabaseLocation location = locationFor(postgres.getPort());
        // zonky's probe cannot tell its Postgres from another one on a fixed port; the first start
        // is slow anyway, so one query settles it.
        if (!servesDataDirectory(location, pgData)) {
            try {
                postgres.close();
            } catch (IOException | RuntimeException alreadyGone) {
                // it could not bind, and has exited
            }
            throw answeredByAnother(location, log);
        }
        return new EmbeddedDatabase(location, postgres, () -> { });
    }

    private static boolean servesDataDirectory(DatabaseLocation location, Path pgData) throws IOException {
        try (Connection connection = DriverManager.getConnection(location.jdbcUrl(), location.user(), location.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW data_directory")) {
            return rows.next() && Path.of(rows.getString(1)).toRealPath().equals(pgData.toRealPath());
        } catch (SQLException e) {
            throw new IOException("Postgres started but cannot be queried at " + location.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private static IOException answeredByAnother(DatabaseLocation location, Path log) {
        return new IOException(location.jdbcUrl() + " is answered by another Postgres, not the one this server launched, "
                + "and will not be used (is ANVIL_EMBEDDED_PG_PORT set to a port in use?): " + tail(log));
    }

    /** Later starts: run the extracted postgres ourselves; {@link #awaitReady} waits until it accepts connections. */
    private static EmbeddedDatabase launchDirect(Path postgresBinary, Path pgData, int port, Path log,
                                                 Runnable beforeLogging, long started) throws IOException {
        stopOrphan(pgData, postgresBinary, beforeLogging);
        int chosenPort = port > 0 ? port : freePort();
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(postgresBinary.toString(), "-D", pgData.toString(), "-p", String.valueOf(chosenPort),
                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        DatabaseLocation location = locationFor(chosenPort);
        Runnable readiness = () -> {
            try {
                awaitReady(process, location, log);
            } catch (IOException e) {
                throw startFailure(pgData, log, e);
            }
            beforeLogging.run();
            logReady(location, pgData, started);
        };
        return new EmbeddedDatabase(location, () -> stop(process), readiness);
    }

    private static void awaitReady(Process process, DatabaseLocation location, Path log) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Properties probe = new Properties();
        probe.setProperty("user", location.user());
        probe.setProperty("password", location.password());
        // Something else on the port that accepts but never answers must not hold the start forever:
        // give up on the attempt, and find Postgres exited (it could not bind) on the next round.
        probe.setProperty("connectTimeout", String.valueOf(PROBE_TIMEOUT.toSeconds()));
        probe.setProperty("socketTimeout", String.valueOf(PROBE_TIMEOUT.toSeconds()));
        while (true) {
            try (Connection connection = DriverManager.getConnection(location.jdbcUrl(), probe)) {
                if (!answeredByLaunched(connection, process)) {
                    stop(process);
                    throw answeredByAnother(location, log);
                }
                return;
            } catch (SQLException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("Postgres exited during start (code " + process.exitValue() + "): " + tail(log));
                }
                if (System.nanoTime() > deadline) {
                    stop(process);
                    throw new IOException("Postgres did not accept connections within " + READY_TIMEOUT.toSeconds() + " s: " + tail(log));
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw new IOException("Interrupted while waiting for Postgres", e);
            }
        }
    }

    /**
     * Whether the server that answered is the Postgres launched here, not another one on the same
     * port (a fixed ANVIL_EMBEDDED_PG_PORT that a system Postgres also uses: the launched one exits,
     * unable to bind, and the server would otherwise migrate a stranger's database as superuser).
     * The backend that answered must be a child of the launched postmaster; where the process tree
     * cannot be seen, that the launched process still runs has to do.
     */
    private static boolean answeredByLaunched(Connection connection, Process process) throws SQLException {
        if (!process.isAlive()) {
            return false;
        }
        int backend = connection.unwrap(PGConnection.class).getBackendPID();
        return ProcessHandle.of(backend)
                .map(handle -> handle.parent().map(parent -> parent.pid() == process.pid()).orElse(false))
                .orElse(true);
    }

    /** SIGTERM is Postgres' "smart" shutdown; the pool is closed before this runs, so it is quick. */
    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A server killed without shutting down leaves its Postgres running and holding the data
     * directory. If postmaster.pid names a live process of our own binaries, stop it first.
     */
    private static void stopOrphan(Path pgData, Path postgresBinary, Runnable beforeLogging) {
        Path pidFile = pgData.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            Optional<ProcessHandle> orphan = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.equals(postgresBinary.toString())).orElse(false));
            if (orphan.isPresent()) {
                beforeLogging.run();
                LOG.log(Level.WARNING, "Stopping Postgres (pid " + pid + ") left running by a previous server on " + pgData);
                orphan.get().destroy();
                orphan.get().onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            beforeLogging.run();
            LOG.log(Level.WARNING, "Could not check " + pidFile + " for a running Postgres: " + e.getMessage());
        }
    }

    private static Optional<Path> extractedPostgres(Path binaries) throws IOException {
        if (!Files.isDirectory(binaries)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(binaries)) {
            return dirs.filter(dir -> dir.getFileName().toString().startsWith("PG-"))
                    .map(dir -> dir.resolve("bin/postgres"))
                    .filter(Files::isExecutable)
                    .findFirst();
        }
    }

    private static DatabaseLocation locationFor(int port) {
        return new DatabaseLocation("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
