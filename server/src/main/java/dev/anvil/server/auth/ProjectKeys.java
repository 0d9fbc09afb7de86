package dev.anvil.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.anvil.server.secrets.KeyBootstrap;
import dev.anvil.server.secrets.SecretStore;

/**
 * The admin API key and the anon key, each with its rotated predecessors still inside their grace
 * period. Kept in memory and re-read from {@code system.secrets} every few seconds — or at once when
 * an unknown key shows up, at most once a second — so a rotation made through another replica is
 * honoured quickly without a database round trip per request.
 */
public final class ProjectKeys {

    private static final Duration MAX_AGE = Duration.ofSeconds(5);
    private static final Duration MISS_RELOAD_INTERVAL = Duration.ofSeconds(1);

    private final SecretStore store;
    private final Clock clock;
    private volatile Snapshot snapshot;

    public ProjectKeys(SecretStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.snapshot = load();
    }

    private record Snapshot(List<SecretStore.Entry> apiKeys, List<SecretStore.Entry> anonKeys, Instant loadedAt) {
    }

    public boolean isApiKey(String candidate) {
        return matches(candidate, true);
    }

    public boolean isAnonKey(String candidate) {
        return matches(candidate, false);
    }

    /** The current admin API key. */
    public String apiKey() {
        return current(KeyBootstrap.API_KEY, fresh().apiKeys());
    }

    /** The current anon key. */
    public String anonKey() {
        return current(KeyBootstrap.ANON_KEY, fresh().anonKeys());
    }

    /** Forget the cached keys (after a rotation on this replica). */
    public void reload() {
        snapshot = load();
    }

    private boolean matches(String candidate, boolean api) {
        Snapshot current = fresh();
        if (matchesAny(candidate, api ? current.apiKeys() : current.anonKeys())) {
            return true;
        }
        if (Duration.between(current.loadedAt(), clock.instant()).compareTo(MISS_RELOAD_INTERVAL) >= 0) {
            current = load();
            snapshot = current;
            return matchesAny(candidate, api ? current.apiKeys() : current.anonKeys());
        }
        return false;
    }

    private boolean matchesAny(String candidate, List<SecretStore.Entry> entries) {
        Instant now = clock.instant();
        byte[] presented = candidate.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        for (SecretStore.Entry entry : entries) {
            // Compare against every usable key so timing does not reveal which one matched.
            if (entry.usableAt(now) & MessageDigest.isEqual(presented, entry.value().getBytes(StandardCharsets.UTF_8))) {
                found = true;
            }
        }
        return found;
    }

    private Snapshot fresh() {
        Snapshot current = snapshot;
        if (Duration.between(current.loadedAt(), clock.instant()).compareTo(MAX_AGE) > 0) {
            current = load();
            snapshot = current;
        }
        return current;
    }

    private Snapshot load() {
        return new Snapshot(store.withRotations(KeyBootstrap.API_KEY), store.withRotations(KeyBootstrap.ANON_KEY),
                clock.instant());
    }

    private static String current(String key, List<SecretStore.Entry> entries) {
        return entries.stream().filter(e -> e.key().equals(key) && e.active()).findFirst()
                .map(SecretStore.Entry::value)
                .orElseThrow(() -> new IllegalStateException("Secret " + key + " is missing"));
    }
}
