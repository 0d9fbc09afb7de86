package dev.anvil.server.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

import dev.anvil.server.config.AnvilConfig;

/**
 * Chooses the key material that encrypts secrets: {@code ENCRYPTION_KEY}, else {@code JWT_SECRET}
 * (InsForge's fallback), else a key generated once into {@code ANVIL_DATA_DIR/encryption.key}
 * (mode 600). The generated key is deliberately not stored in the database: a key kept next to the
 * values it protects would protect nothing in a database dump.
 */
public final class EncryptionKeyFile {

    static final String FILE_NAME = "encryption.key";

    private EncryptionKeyFile() {
    }

    /** The key material and where it came from (for error messages). */
    public record KeyMaterial(String material, String source) {
    }

    public static KeyMaterial resolve(AnvilConfig config, Path dataDir) {
        var explicit = config.find(KeySettings.ENCRYPTION_KEY);
        if (explicit.isPresent()) {
            return new KeyMaterial(explicit.get(), "ENCRYPTION_KEY");
        }
        var jwtSecret = config.find(KeySettings.JWT_SECRET);
        if (jwtSecret.isPresent()) {
            return new KeyMaterial(jwtSecret.get(), "JWT_SECRET");
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        return new KeyMaterial(readOrCreate(file), file.toString());
    }

    private static String readOrCreate(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.getParent());
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String key = HexFormat.of().formatHex(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException raced) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (UnsupportedOperationException nonPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.SYNC);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the encryption key file " + file, e);
        }
    }
}
