package dev.anvil.server.platform.logs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.anvil.server.http.ApiException;

/**
 * The log sources this server really has, by name, and for the names InsForge clients ask for but
 * Anvil cannot serve, the reason why — so an agent calling {@code get-container-logs} learns where
 * to look instead of getting an empty page that looks like "nothing happened".
 */
public final class LogSources {

    private final Map<String, LogSource> available = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    public LogSources add(LogSource source) {
        available.put(source.name(), source);
        unavailable.remove(source.name());
        return this;
    }

    /** A source name clients know from InsForge that this server has no data for, and why. */
    public LogSources unavailable(String name, String reason) {
        if (!available.containsKey(name)) {
            unavailable.put(name, reason);
        }
        return this;
    }

    public List<LogSource> all() {
        return List.copyOf(available.values());
    }

    public Optional<LogSource> find(String name) {
        return Optional.ofNullable(available.get(name));
    }

    /** The source, or 404 {@code LOG_NOT_FOUND} saying why it is missing and what exists. */
    public LogSource require(String name) {
        LogSource source = available.get(name);
        if (source != null) {
            return source;
        }
        String reason = unavailable.get(name);
        String names = String.join(", ", available.keySet());
        if (reason != null) {
            throw new ApiException(404, "LOG_NOT_FOUND", "Log source " + name + " is not available on this server: " + reason,
                    "Available log sources: " + names);
        }
        throw new ApiException(404, "LOG_NOT_FOUND", "Log source " + name + " not found", "Available log sources: " + names);
    }
}
