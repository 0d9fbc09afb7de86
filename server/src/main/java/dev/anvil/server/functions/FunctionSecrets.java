package dev.anvil.server.functions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.anvil.server.secrets.KeyBootstrap;
import dev.anvil.server.secrets.SecretStore;

/**
 * What {@code Deno.env.get} returns inside functions: the decrypted value of every active,
 * unexpired secret (InsForge's contract — the admin key included), with INSFORGE_INTERNAL_URL
 * pointing at this server. Kept in memory with a version (a hash of the contents) the runtime
 * compares against; re-read when a secret changes here, and at most a second old otherwise so a
 * change made through another replica, or a grace period running out, shows up quickly.
 */
public final class FunctionSecrets {

    private static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final SecretStore store;
    private final Supplier<String> internalUrl;
    private final Clock clock;
    private volatile Snapshot snapshot;

    public FunctionSecrets(SecretStore store, Supplier<String> internalUrl, Clock clock) {
        this.store = store;
        this.internalUrl = internalUrl;
        this.clock = clock;
    }

    /** Decrypted values and their version. */
    public record Snapshot(String version, Map<String, String> values, Instant loadedAt) {
    }

    public Snapshot current() {
        Snapshot current = snapshot;
        if (current == null || Duration.between(current.loadedAt(), clock.instant()).compareTo(MAX_AGE) > 0) {
            current = load();
            snapshot = current;
        }
        return current;
    }

    /** A secret changed on this server: the next invocation sees it. */
    public void invalidate() {
        snapshot = null;
    }

    private Snapshot load() {
        TreeMap<String, String> values = new TreeMap<>(store.activeValues());
        String url = internalUrl.get();
        if (url != null) {
            values.put(KeyBootstrap.INSFORGE_INTERNAL_URL, url);
        }
        return new Snapshot(ContentHash.of(values), Map.copyOf(values), clock.instant());
    }
}
