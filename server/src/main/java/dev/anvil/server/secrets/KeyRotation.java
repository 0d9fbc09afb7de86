package dev.anvil.server.secrets;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbTransaction;

/**
 * Replaces the admin API key or the anon key while the old one keeps working for a grace period:
 * the current row is renamed {@code <KEY>_OLD_<epoch ms>} with {@code expires_at = now + grace}
 * and a new row takes the key's name, in one transaction. {@code ProjectKeys} accepts the
 * {@code _OLD_} rows until they expire; expired ones are deleted at the next rotation.
 */
public final class KeyRotation {

    /** The two rotatable keys, with InsForge's default and largest grace periods (hours). */
    public enum Kind {
        API_KEY(KeyBootstrap.API_KEY, 24, 168, KeyBootstrap::newApiKey),
        ANON_KEY(KeyBootstrap.ANON_KEY, 168, 720, KeyBootstrap::newAnonKey);

        private final String secretKey;
        private final int defaultGraceHours;
        private final int maxGraceHours;
        private final Supplier<String> generator;

        Kind(String secretKey, int defaultGraceHours, int maxGraceHours, Supplier<String> generator) {
            this.secretKey = secretKey;
            this.defaultGraceHours = defaultGraceHours;
            this.maxGraceHours = maxGraceHours;
            this.generator = generator;
        }

        public int defaultGraceHours() {
            return defaultGraceHours;
        }

        public int maxGraceHours() {
            return maxGraceHours;
        }
    }

    /** The new key and when the previous one stops working. */
    public record Rotated(String newKey, Instant oldKeyExpiresAt) {
    }

    private final DbClient db;
    private final SecretCipher cipher;
    private final Clock clock;
    private final Runnable afterRotation;

    /** {@code afterRotation} runs once the new key is stored (to drop cached keys). */
    public KeyRotation(DbClient db, SecretCipher cipher, Clock clock, Runnable afterRotation) {
        this.db = db;
        this.cipher = cipher;
        this.clock = clock;
        this.afterRotation = afterRotation;
    }

    public Rotated rotate(Kind kind, int graceHours) {
        if (graceHours < 0 || graceHours > kind.maxGraceHours) {
            throw new IllegalArgumentException("grace period out of range: " + graceHours);
        }
        String newKey = kind.generator.get();
        String oldName = kind.secretKey + "_OLD_" + clock.millis();
        DbTransaction tx = db.transaction();
        Instant oldExpiresAt;
        try {
            // The row lock makes concurrent rotations queue instead of both renaming the same row.
            tx.get("SELECT id FROM system.secrets WHERE key = ? FOR UPDATE", kind.secretKey);
            oldExpiresAt = tx.get("UPDATE system.secrets SET key = ?, expires_at = now() + make_interval(hours => ?::int) "
                            + "WHERE key = ? RETURNING expires_at", oldName, graceHours, kind.secretKey)
                    .map(row -> row.column("expires_at").get(Timestamp.class).toInstant())
                    .orElse(clock.instant());
            tx.dml("INSERT INTO system.secrets (key, value_ciphertext, is_reserved) VALUES (?, ?, true)",
                    kind.secretKey, cipher.encrypt(newKey));
            tx.dml("DELETE FROM system.secrets WHERE key LIKE ? AND expires_at <= now()", kind.secretKey + "\\_OLD\\_%");
            tx.commit();
        } catch (RuntimeException e) {
            tx.rollback();
            throw e;
        }
        afterRotation.run();
        return new Rotated(newKey, oldExpiresAt);
    }
}
