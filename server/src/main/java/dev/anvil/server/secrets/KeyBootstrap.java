package dev.anvil.server.secrets;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import dev.anvil.server.config.AnvilConfig;

/**
 * Makes sure the instance has its keys, once, before anything serves requests: the JWT secret, the
 * admin API key, the anon key and the RSA signing key pair. Values from the environment win and are
 * stored; missing ones are generated and stored encrypted; stored ones are never regenerated.
 * Replicas starting together serialise on an advisory lock, so they all end up with the same keys.
 */
public final class KeyBootstrap {

    public static final String API_KEY = "API_KEY";
    public static final String ANON_KEY = "ANON_KEY";
    public static final String JWT_SECRET = "JWT_SECRET";
    public static final String JWT_PRIVATE_KEY = "JWT_PRIVATE_KEY";
    public static final String JWT_PUBLIC_KEY = "JWT_PUBLIC_KEY";
    public static final String JWT_KEY_ID = "JWT_KEY_ID";
    public static final String INSFORGE_BASE_URL = "INSFORGE_BASE_URL";
    public static final String INSFORGE_INTERNAL_URL = "INSFORGE_INTERNAL_URL";

    /** What the bootstrap ensures (and hands to {@code SigningKeys} in its result). */
    public static final List<String> INSTANCE_KEYS = List.of(JWT_SECRET, API_KEY, ANON_KEY, JWT_PRIVATE_KEY, JWT_PUBLIC_KEY,
            JWT_KEY_ID);

    private static final System.Logger LOG = System.getLogger(KeyBootstrap.class.getName());
    private static final long LOCK_ID = 0x616e76696c6b6579L; // "anvilkey"
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private KeyBootstrap() {
    }

    /**
     * What the bootstrap found or made: {@code instanceKeys} holds the value of every one of
     * {@link #INSTANCE_KEYS}; {@code generatedAccessKeys} is true on the very first start.
     */
    public record Result(Map<String, String> instanceKeys, boolean generatedAccessKeys) {

        public String jwtSecret() {
            return instanceKeys.get(JWT_SECRET);
        }
    }

    public static Result run(AnvilConfig config, SecretStore store, DataSource dataSource, String keySource) {
        try (Connection lock = dataSource.getConnection()) {
            advisoryLock(lock, true);
            try {
                checkKeyMatches(lock, store, keySource);
                // Read once; the checks below write what is missing or changed and keep the map current.
                Map<String, String> values = new HashMap<>(store.activeValues(INSTANCE_KEYS));
                boolean apiGenerated = !values.containsKey(API_KEY) && config.find(KeySettings.ACCESS_API_KEY).isEmpty();
                ensure(store, values, JWT_SECRET, config.find(KeySettings.JWT_SECRET), () -> randomHex(32));
                ensure(store, values, API_KEY, config.find(KeySettings.ACCESS_API_KEY).map(KeyBootstrap::checkApiKey),
                        () -> "ik_" + randomHex(32));
                ensure(store, values, ANON_KEY, config.find(KeySettings.ACCESS_ANON_KEY).map(KeyBootstrap::withAnonPrefix),
                        () -> "anon_" + randomHex(32));
                ensureSigningKeyPair(store, values);
                return new Result(Map.copyOf(values), apiGenerated);
            } finally {
                advisoryLock(lock, false);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not prepare the instance keys: " + e.getMessage(), e);
        }
    }

    /** Generates a fresh admin API key value ({@code ik_} + 64 hex). */
    public static String newApiKey() {
        return "ik_" + randomHex(32);
    }

    /** Generates a fresh anon key value ({@code anon_} + 64 hex). */
    public static String newAnonKey() {
        return "anon_" + randomHex(32);
    }

    /** Makes {@code key} hold the environment's value, the stored one, or a generated one; records it in {@code values}. */
    private static void ensure(SecretStore store, Map<String, String> values, String key, Optional<String> fromEnvironment,
                               java.util.function.Supplier<String> generator) {
        values.put(key, chosen(store, Optional.ofNullable(values.get(key)), key, fromEnvironment, generator));
    }

    private static String chosen(SecretStore store, Optional<String> stored, String key, Optional<String> fromEnvironment,
                                 java.util.function.Supplier<String> generator) {
        if (fromEnvironment.isPresent() && stored.isPresent() && rotatedAway(store, key, fromEnvironment.get())) {
            // Restoring a key that was rotated through the API (perhaps because it leaked) would
            // silently undo the rotation; the stale environment value loses.
            LOG.log(System.Logger.Level.WARNING, "The " + key + " set in the environment was rotated away through "
                    + "/api/secrets; keeping the current one. Update the environment to the new key.");
            return stored.get();
        }
        if (fromEnvironment.isPresent()) {
            if (!fromEnvironment.equals(stored)) {
                store.upsert(key, fromEnvironment.get(), true);
            }
            return fromEnvironment.get();
        }
        if (stored.isPresent()) {
            return stored.get();
        }
        store.insertIfAbsent(key, generator.get(), true);
        return store.activeValue(key).orElseThrow();
    }

    private static boolean rotatedAway(SecretStore store, String key, String value) {
        return store.withRotations(key).stream().anyMatch(entry -> !entry.key().equals(key) && entry.value().equals(value));
    }

    /**
     * The reserved URL secrets functions read (contract §7): INSFORGE_BASE_URL, the public URL, and
     * INSFORGE_INTERNAL_URL, how a function reaches this server. Known only once the server listens.
     */
    public static void ensureServiceUrls(SecretStore store, String baseUrl, String internalUrl) {
        ensureValue(store, INSFORGE_BASE_URL, baseUrl);
        ensureValue(store, INSFORGE_INTERNAL_URL, internalUrl);
    }

    private static void ensureValue(SecretStore store, String key, String value) {
        if (!store.activeValue(key).equals(Optional.of(value))) {
            store.upsert(key, value, true);
        }
    }

    private static void ensureSigningKeyPair(SecretStore store, Map<String, String> values) {
        if (values.containsKey(JWT_KEY_ID) && values.containsKey(JWT_PRIVATE_KEY) && values.containsKey(JWT_PUBLIC_KEY)) {
            return;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            KeyPair pair = generator.generateKeyPair();
            values.put(JWT_PRIVATE_KEY, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            values.put(JWT_PUBLIC_KEY, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            values.put(JWT_KEY_ID, "kid_" + randomHex(16));
            for (String key : List.of(JWT_PRIVATE_KEY, JWT_PUBLIC_KEY, JWT_KEY_ID)) {
                store.upsert(key, values.get(key), true);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails with a clear message when the configured key cannot open the secrets already stored. */
    private static void checkKeyMatches(Connection connection, SecretStore store, String keySource) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT key, value_ciphertext FROM system.secrets WHERE is_reserved ORDER BY created_at LIMIT 1");
             ResultSet rows = statement.executeQuery()) {
            if (rows.next()) {
                try {
                    store.cipher().decrypt(rows.getString(2));
                } catch (SecretCipher.WrongKeyException e) {
                    throw new IllegalStateException("The encryption key from " + keySource + " cannot decrypt the secrets "
                            + "stored in this database (secret " + rows.getString(1) + "). Start with the ENCRYPTION_KEY "
                            + "(or JWT_SECRET) this database was created with.");
                }
            }
        }
    }

    private static String checkApiKey(String value) {
        if (!value.startsWith("ik_")) {
            throw new IllegalStateException("ACCESS_API_KEY must start with ik_ (InsForge admin keys are ik_ + 64 hex)");
        }
        return value;
    }

    private static String withAnonPrefix(String value) {
        return value.startsWith("anon_") ? value : "anon_" + value;
    }

    private static void advisoryLock(Connection connection, boolean acquire) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                acquire ? "SELECT pg_advisory_lock(?)" : "SELECT pg_advisory_unlock(?)")) {
            statement.setLong(1, LOCK_ID);
            statement.execute();
        }
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HEX.formatHex(random);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
