package dev.anvil.server.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.CoreSettings;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.EmbeddedDatabase;
import dev.anvil.server.secrets.EncryptionKeyFile;
import dev.anvil.server.secrets.KeyBootstrap;
import dev.anvil.server.secrets.SecretCipher;
import dev.anvil.server.secrets.SecretStore;

/**
 * {@code java -jar anvil-server.jar keys}: prints the admin API key and the anon key of the
 * configured instance. With the embedded database it reuses the Postgres a running server started
 * (found through its {@code postmaster.pid}), or starts it briefly when no server is running.
 */
public final class KeysCommand {

    private KeysCommand() {
    }

    public static int run(AnvilConfig config, PrintStream out) {
        Path dataDir = Path.of(config.get(CoreSettings.DATA_DIR));
        EmbeddedDatabase started = null;
        Optional<DatabaseLocation> location = DatabaseLocation.fromConfig(config).or(() -> runningEmbedded(dataDir));
        if (location.isEmpty()) {
            if (!Files.isDirectory(dataDir.resolve("postgres"))) {
                out.println("No Anvil instance in " + dataDir.toAbsolutePath() + " yet: start the server once first.");
                return 1;
            }
            started = EmbeddedDatabase.start(dataDir, 0);
            location = Optional.of(started.location());
        }
        try (Database database = Database.connect(location.get(), 1)) {
            EncryptionKeyFile.KeyMaterial key = EncryptionKeyFile.resolve(config, dataDir);
            SecretStore store = new SecretStore(database.client(), SecretCipher.fromKeyMaterial(key.material()));
            out.println("Admin API key: " + store.activeValue(KeyBootstrap.API_KEY).orElse("(not generated yet)"));
            out.println("Anon key:      " + store.activeValue(KeyBootstrap.ANON_KEY).orElse("(not generated yet)"));
            return 0;
        } finally {
            if (started != null) {
                started.close();
            }
        }
    }

    /** The loopback port of an embedded Postgres a running server owns, from line 4 of postmaster.pid. */
    private static Optional<DatabaseLocation> runningEmbedded(Path dataDir) {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.get(0).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                int port = Integer.parseInt(lines.get(3).trim());
                return Optional.of(new DatabaseLocation("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", ""));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
