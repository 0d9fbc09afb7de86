package dev.anvil.server.secrets;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * {@code system.secrets}: named values encrypted at rest with {@link SecretCipher}. Holds the
 * platform's own keys (API_KEY, ANON_KEY, JWT_* …) next to users' function secrets, as InsForge does.
 */
public final class SecretStore {

    private final DbClient db;
    private final SecretCipher cipher;

    public SecretStore(DbClient db, SecretCipher cipher) {
        this.db = db;
        this.cipher = cipher;
    }

    public SecretCipher cipher() {
        return cipher;
    }

    /** A decrypted secret with the facts callers decide on. */
    public record Entry(String key, String value, boolean active, boolean reserved, Instant expiresAt) {
        public boolean usableAt(Instant now) {
            return active && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    /** The decrypted value of an active, unexpired secret. */
    public Optional<String> activeValue(String key) {
        return db.execute().get("SELECT value_ciphertext FROM system.secrets "
                        + "WHERE key = ? AND is_active AND (expires_at IS NULL OR expires_at > now())", key)
                .map(row -> cipher.decrypt(row.column("value_ciphertext").get(String.class)));
    }

    /** Every secret whose key is {@code key} or starts with {@code key + "_OLD_"}: a key and its rotated predecessors. */
    public List<Entry> withRotations(String key) {
        try (var rows = db.execute().query("SELECT key, value_ciphertext, is_active, is_reserved, expires_at "
                + "FROM system.secrets WHERE key = ? OR key LIKE ? ORDER BY created_at DESC", key, key + "\\_OLD\\_%")) {
            return rows.map(this::entry).toList();
        }
    }

    /** Stores the value unless the key exists; returns true when this call stored it. */
    public boolean insertIfAbsent(String key, String value, boolean reserved) {
        return db.execute().insert("INSERT INTO system.secrets (key, value_ciphertext, is_reserved) VALUES (?, ?, ?) "
                + "ON CONFLICT (key) DO NOTHING", key, cipher.encrypt(value), reserved) == 1;
    }

    /** Stores the value, replacing whatever the key held, and makes it active again. */
    public void upsert(String key, String value, boolean reserved) {
        db.execute().dml("INSERT INTO system.secrets (key, value_ciphertext, is_reserved) VALUES (?, ?, ?) "
                + "ON CONFLICT (key) DO UPDATE SET value_ciphertext = EXCLUDED.value_ciphertext, "
                + "is_reserved = EXCLUDED.is_reserved, is_active = true, expires_at = NULL, updated_at = now()",
                key, cipher.encrypt(value), reserved);
    }

    /**
     * Stores the value under {@code key} (replacing what the key held) and returns the row's id, for
     * tables that point at a secret by {@code secret_id} (OAuth client secrets, as InsForge does).
     */
    public String upsertReturningId(String key, String value, boolean reserved) {
        return db.execute().get("INSERT INTO system.secrets (key, value_ciphertext, is_reserved) VALUES (?, ?, ?) "
                        + "ON CONFLICT (key) DO UPDATE SET value_ciphertext = EXCLUDED.value_ciphertext, "
                        + "is_reserved = EXCLUDED.is_reserved, is_active = true, expires_at = NULL, updated_at = now() "
                        + "RETURNING id::text AS id", key, cipher.encrypt(value), reserved)
                .map(row -> row.column("id").get(String.class)).orElseThrow();
    }

    /** The decrypted value of the secret with this id, whatever its key, if it exists and is active. */
    public Optional<String> activeValueById(String id) {
        return db.execute().get("SELECT value_ciphertext FROM system.secrets WHERE id = ?::uuid AND is_active", id)
                .map(row -> cipher.decrypt(row.column("value_ciphertext").get(String.class)));
    }

    public void deleteById(String id) {
        db.execute().dml("DELETE FROM system.secrets WHERE id = ?::uuid", id);
    }

    private Entry entry(DbRow row) {
        Timestamp expires = row.column("expires_at").get(Timestamp.class);
        return new Entry(row.column("key").get(String.class),
                cipher.decrypt(row.column("value_ciphertext").get(String.class)),
                row.column("is_active").get(Boolean.class),
                row.column("is_reserved").get(Boolean.class),
                expires == null ? null : expires.toInstant());
    }
}
