package dev.anvil.server.functions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active functions the proxy can invoke, by slug, with the version of their code. An
 * invocation must not cost a database read, so entries are kept in memory: dropped when this
 * server changes the function, and re-read when older than a second, so a change made through
 * another replica reaches the next call after that.
 */
public final class FunctionCatalog {

    private static final Duration MAX_AGE = Duration.ofSeconds(1);
    /** Only active functions are cached; a flood of unknown slugs cannot grow this without bound. */
    private static final int MAX_ENTRIES = 2_000;

    private final FunctionStore store;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    FunctionCatalog(FunctionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** An invocable function version. */
    public record ActiveFunction(String slug, String version, String code) {
    }

    private record Entry(ActiveFunction function, Instant loadedAt) {
    }

    Optional<ActiveFunction> active(String slug) {
        Entry entry = entries.get(slug);
        Instant now = clock.instant();
        if (entry != null && Duration.between(entry.loadedAt(), now).compareTo(MAX_AGE) <= 0) {
            return Optional.of(entry.function());
        }
        Optional<ActiveFunction> loaded = store.find(slug)
                .filter(record -> FunctionStore.ACTIVE.equals(record.status()))
                .map(record -> new ActiveFunction(record.slug(), ContentHash.of(record.code()), record.code()));
        if (loaded.isPresent()) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            entries.put(slug, new Entry(loaded.get(), now));
        } else {
            entries.remove(slug);
        }
        return loaded;
    }

    void invalidate(String slug) {
        entries.remove(slug);
    }
}
