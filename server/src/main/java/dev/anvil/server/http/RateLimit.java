package dev.anvil.server.http;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.Setting;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A named limit: at most {@code max} requests per {@code window} for each key (a client address,
 * an e-mail address …), in fixed windows that start at a key's first request — the behaviour of
 * express-rate-limit, which InsForge uses. Answers carry the {@code RateLimit-Policy},
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} headers; a
 * refused request is a 429 {@code TOO_MANY_REQUESTS} with {@code Retry-After}.
 *
 * <p>Two ways to count: {@link #consume} counts every request (sending e-mail: every request costs),
 * while {@link #check} + {@link #recordFailure} count only failures (sign-in, code verification:
 * legitimate users succeed and are never throttled, guessing is). Counters live in this process;
 * replicas each enforce the limit on the requests they see.
 */
public final class RateLimit {

    private static final int SWEEP_THRESHOLD = 10_000;

    private final String name;
    private final Supplier<Rule> rule;
    private final LongFunction<String> message;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** How many requests a key may make per window; {@link #OFF} disables the limit. */
    public record Rule(int max, Duration window) {

        public static final Rule OFF = new Rule(0, Duration.ZERO);

        public boolean enabled() {
            return max > 0 && window.toMillis() > 0;
        }

        /** The rule a setting holds; a malformed value is a configuration error naming the setting. */
        public static Rule from(AnvilConfig config, Setting setting) {
            try {
                return parse(config.get(setting));
            } catch (IllegalArgumentException e) {
                throw new AnvilConfig.ConfigException(setting, e.getMessage());
            }
        }

        /** Parses {@code "max/windowSeconds"} (e.g. {@code "5/900"}); {@code "0"} or {@code "off"} disables. */
        public static Rule parse(String text) {
            String value = text.trim().toLowerCase(Locale.ROOT);
            if (value.equals("0") || value.equals("off")) {
                return OFF;
            }
            int slash = value.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("expected max/windowSeconds such as 5/900, or off; got '" + text + "'");
            }
            try {
                int max = Integer.parseInt(value.substring(0, slash).trim());
                long seconds = Long.parseLong(value.substring(slash + 1).trim());
                if (max < 0 || seconds <= 0) {
                    throw new IllegalArgumentException("max must be >= 0 and the window > 0 seconds; got '" + text + "'");
                }
                return max == 0 ? OFF : new Rule(max, Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected max/windowSeconds such as 5/900, or off; got '" + text + "'");
            }
        }
    }

    private record Window(long resetAtMillis, int count) {
    }

    /** A limit with a fixed rule and a fixed refusal message. */
    public RateLimit(String name, Rule rule, String message, Clock clock) {
        this(name, () -> rule, retryAfter -> message, clock);
    }

    /**
     * A limit whose rule may change while the server runs (read per request) and whose refusal
     * message may name the seconds left.
     */
    public RateLimit(String name, Supplier<Rule> rule, LongFunction<String> message, Clock clock) {
        this.name = name;
        this.rule = rule;
        this.message = message;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    /** Counts this request against the client's address; 429 once the address has used up its window. */
    public void consume(ServerRequest req, ServerResponse res) {
        consume(res, ClientAddress.of(req));
    }

    /** Counts this request against {@code key}; 429 once the key has used up its window. */
    public void consume(ServerResponse res, String key) {
        Rule current = rule.get();
        if (!current.enabled()) {
            return;
        }
        long now = clock.millis();
        Window window = count(key, current, now);
        answer(res, current, window, now, window.count() > current.max());
    }

    /** Refuses (429) when the client's address has used up its window, without counting this request. */
    public void check(ServerRequest req, ServerResponse res) {
        check(res, ClientAddress.of(req));
    }

    /** Refuses (429) when {@code key} has used up its window, without counting this request. */
    public void check(ServerResponse res, String key) {
        Rule current = rule.get();
        if (!current.enabled()) {
            return;
        }
        long now = clock.millis();
        Window window = windows.get(key);
        if (window == null || window.resetAtMillis() <= now) {
            window = new Window(now + current.window().toMillis(), 0);
        }
        answer(res, current, window, now, window.count() >= current.max());
    }

    /** Counts a failure of the client's address, for limits used with {@link #check}. */
    public void recordFailure(ServerRequest req) {
        recordFailure(ClientAddress.of(req));
    }

    /** Counts a failure of {@code key}, for limits used with {@link #check}. */
    public void recordFailure(String key) {
        Rule current = rule.get();
        if (!current.enabled()) {
            return;
        }
        count(key, current, clock.millis());
    }

    /** Forgets every counter (tests, and an operator raising a limit at runtime). */
    public void reset() {
        windows.clear();
    }

    private void answer(ServerResponse res, Rule current, Window window, long now, boolean refuse) {
        long resetSeconds = Math.max(0, (window.resetAtMillis() - now + 999) / 1000);
        int remaining = Math.max(0, current.max() - window.count());
        res.header("RateLimit-Policy", current.max() + ";w=" + current.window().toSeconds());
        res.header("RateLimit-Limit", Integer.toString(current.max()));
        res.header("RateLimit-Remaining", Integer.toString(refuse ? 0 : remaining));
        res.header("RateLimit-Reset", Long.toString(resetSeconds));
        if (refuse) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, resetSeconds)));
            throw new ApiException(429, "TOO_MANY_REQUESTS", message.apply(Math.max(1, resetSeconds)));
        }
    }

    /** Adds one to the key's window (a new window when the last one ended); returns it. */
    private Window count(String key, Rule current, long now) {
        Window window = windows.compute(key, (k, old) -> old == null || old.resetAtMillis() <= now
                ? new Window(now + current.window().toMillis(), 1)
                : new Window(old.resetAtMillis(), old.count() + 1));
        if (window.count() == 1 && windows.size() > SWEEP_THRESHOLD) {
            windows.values().removeIf(w -> w.resetAtMillis() <= now);
        }
        return window;
    }
}
