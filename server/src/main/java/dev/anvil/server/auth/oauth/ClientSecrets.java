package dev.anvil.server.auth.oauth;

import java.util.Locale;
import java.util.Optional;

import dev.anvil.server.secrets.SecretStore;

/**
 * OAuth client secrets, kept encrypted in {@code system.secrets} as InsForge does: config rows point
 * at them by {@code secret_id}. Their keys are namespaced ({@code OAUTH_GOOGLE_CLIENT_SECRET},
 * {@code OAUTH_CUSTOM_<KEY>_CLIENT_SECRET}) so they cannot collide with secrets users create for
 * their functions, and reserved so the secrets API cannot delete them from under a config.
 */
final class ClientSecrets {

    private final SecretStore store;

    ClientSecrets(SecretStore store) {
        this.store = store;
    }

    /** Stores (or replaces) the secret of a built-in provider; returns its id. */
    String putBuiltIn(String provider, String secret) {
        return store.upsertReturningId("OAUTH_" + provider.toUpperCase(Locale.ROOT) + "_CLIENT_SECRET", secret, true);
    }

    /** Stores (or replaces) the secret of a custom provider; returns its id. */
    String putCustom(String key, String secret) {
        return store.upsertReturningId("OAUTH_CUSTOM_" + key.toUpperCase(Locale.ROOT) + "_CLIENT_SECRET", secret, true);
    }

    Optional<String> value(String secretId) {
        return secretId == null ? Optional.empty() : store.activeValueById(secretId);
    }

    /** Deletes a secret no config points at any more ({@code previousId} null or equal to the current one: nothing). */
    void dropReplaced(String previousId, String currentId) {
        if (previousId != null && !previousId.equals(currentId)) {
            store.deleteById(previousId);
        }
    }
}
