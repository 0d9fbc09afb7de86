package dev.anvil.server.secrets;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.anvil.server.db.DbColumns;
import dev.anvil.server.db.PartialUpdate;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * {@code system.secrets}: named values encrypted at rest with {@link SecretCipher}. Holds the
 * platform's own keys (API_KEY, ANON_KEY, JWT_* …) next to users' function secrets, as InsForge does.
 */
public final class SecretStore {

    private static final System.Logger LOG = System.getLogger(SecretStore.class.getName());
    private static final String METADATA_COLUMNS = "id::text AS id, key, is_active, is_reserved, last_used_at, "
            + "expires_at, created_at, updated_at";

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

    /**
     * The active values of these keys, read in one query (a key without an active value is absent):
     * the start reads a dozen keys, and each query is a round trip on a cold connection.
     */
    public Map<String, String> activeValues(List<String> keys) {
        Map<String, String> values = new LinkedHashMap<>();
        String placeholders = String.join(", ", Collections.nCopies(keys.size(), "?"));
        try (var rows = db.execute().query("SELECT key, value_ciphertext FROM system.secrets WHERE key IN (" + placeholders
                + ") AND is_active AND (expires_at IS NULL OR expires_at > now())", keys.toArray())) {
            rows.forEach(row -> values.put(row.column("key").get(String.class),
                    cipher.decrypt(row.column("value_ciphertext").get(String.class))));
        }
        return values;
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

    /** A secret as the admin API lists it: everything but the value. */
    public record Metadata(String id, String key, boolean active, boolean reserved, Instant lastUsedAt,
                           Instant expiresAt, Instant createdAt, Instant updatedAt) {
    }

    /** Every secret, newest first (InsForge's order), without values. */
    public List<Metadata> list() {
        try (var rows = db.execute().query("SELECT " + METADATA_COLUMNS + " FROM system.secrets ORDER BY created_at DESC")) {
            return rows.map(SecretStore::metadata).toList();
        }
    }

    public Optional<Metadata> find(String key) {
        return db.execute().get("SELECT " + METADATA_COLUMNS + " FROM system.secrets WHERE key = ?", key)
                .map(SecretStore::metadata);
    }

    /** The value of an active, unexpired secret, recording that it was read (InsForge's last_used_at). */
    public Optional<String> readAndTouch(String key) {
        return db.execute().get("UPDATE system.secrets SET last_used_at = now() WHERE key = ? AND is_active "
                        + "AND (expires_at IS NULL OR expires_at > now()) RETURNING value_ciphertext", key)
                .map(row -> cipher.decrypt(row.column("value_ciphertext").get(String.class)));
    }

    /**
     * Every active, unexpired secret, decrypted (what functions see). A value this key cannot open
     * is left out with a warning, as InsForge's runtime does, rather than hiding all the others.
     */
    public Map<String, String> activeValues() {
        Map<String, String> values = new LinkedHashMap<>();
        List<String[]> stored = new ArrayList<>();
        try (var rows = db.execute().query("SELECT key, value_ciphertext FROM system.secrets "
                + "WHERE is_active AND (expires_at IS NULL OR expires_at > now()) ORDER BY key")) {
            rows.forEach(row -> stored.add(new String[] {row.column("key").get(String.class),
                    row.column("value_ciphertext").get(String.class)}));
        }
        for (String[] secret : stored) {
            try {
                values.put(secret[0], cipher.decrypt(secret[1]));
            } catch (SecretCipher.WrongKeyException e) {
                LOG.log(Level.WARNING, "Secret " + secret[0] + " cannot be decrypted with the configured key; left out");
            }
        }
        return values;
    }

    /** Stores a new secret and returns its id. */
    public String create(String key, String value, boolean reserved, Instant expiresAt) {
        return db.execute().get("INSERT INTO system.secrets (key, value_ciphertext, is_reserved, expires_at) "
                        + "VALUES (?, ?, ?, ?::timestamptz) RETURNING id::text AS id",
                key, cipher.encrypt(value), reserved, expiresAt == null ? null : expiresAt.toString())
                .map(row -> row.column("id").get(String.class))
                .orElseThrow();
    }

    /**
     * Changes the given fields of a secret; null leaves a field as it is, and {@code clearExpiry}
     * removes the expiry. Returns false when no secret has the key.
     */
    public boolean update(String key, String value, Boolean active, Boolean reserved, Instant expiresAt, boolean clearExpiry) {
        PartialUpdate update = new PartialUpdate()
                .set("value_ciphertext", value == null ? null : cipher.encrypt(value))
                .set("is_active", active)
                .set("is_reserved", reserved);
        if (clearExpiry) {
            update.assign("expires_at", "?::timestamptz", null);
        } else {
            update.set("expires_at", "?::timestamptz", expiresAt == null ? null : expiresAt.toString());
        }
        update.touch("updated_at");
        return db.execute().dml("UPDATE system.secrets SET " + update.sql() + " WHERE key = ?", update.params(key)) == 1;
    }

    private static Metadata metadata(DbRow row) {
        return new Metadata(row.column("id").get(String.class), row.column("key").get(String.class),
                row.column("is_active").get(Boolean.class), row.column("is_reserved").get(Boolean.class),
                DbColumns.instant(row, "last_used_at"), DbColumns.instant(row, "expires_at"), DbColumns.instant(row, "created_at"),
                DbColumns.instant(row, "updated_at"));
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
        return new Entry(row.column("key").get(String.class),
                cipher.decrypt(row.column("value_ciphertext").get(String.class)),
                row.column("is_active").get(Boolean.class),
                row.column("is_reserved").get(Boolean.class),
                DbColumns.instant(row, "expires_at"));
    }
}
