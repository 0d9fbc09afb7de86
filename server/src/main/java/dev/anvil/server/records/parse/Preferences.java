package dev.anvil.server.records.parse;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.records.PgrstError;

/**
 * The {@code Prefer} header(s) (PostgREST's {@code Preferences}). Every header value may hold several
 * comma-separated preferences; the first of each kind wins. Unknown or malformed ones are ignored,
 * unless {@code handling=strict} asks for them to be refused (PGRST122).
 */
public record Preferences(Return returning, Count count, Resolution resolution, Missing missing, Tx tx,
                          Handling handling, String timezone, Long maxAffected) {

    public enum Return {
        MINIMAL("minimal"), HEADERS_ONLY("headers-only"), REPRESENTATION("representation");

        final String token;

        Return(String token) {
            this.token = token;
        }
    }

    public enum Count {
        EXACT("exact"), PLANNED("planned"), ESTIMATED("estimated");

        final String token;

        Count(String token) {
            this.token = token;
        }
    }

    public enum Resolution {
        MERGE("merge-duplicates"), IGNORE("ignore-duplicates");

        final String token;

        Resolution(String token) {
            this.token = token;
        }
    }

    public enum Missing {
        DEFAULT("default"), NULL("null");

        final String token;

        Missing(String token) {
            this.token = token;
        }
    }

    public enum Tx {
        COMMIT("commit"), ROLLBACK("rollback");

        final String token;

        Tx(String token) {
            this.token = token;
        }
    }

    public enum Handling {
        STRICT("strict"), LENIENT("lenient");

        final String token;

        Handling(String token) {
            this.token = token;
        }
    }

    public static final Preferences NONE = new Preferences(null, null, null, null, null, null, null, null);

    public static Preferences parse(List<String> headerValues) {
        Return returning = null;
        Count count = null;
        Resolution resolution = null;
        Missing missing = null;
        Tx tx = null;
        Handling handling = null;
        String timezone = null;
        Long maxAffected = null;
        List<String> invalid = new ArrayList<>();
        for (String header : headerValues) {
            for (String raw : header.split(",")) {
                String preference = raw.trim();
                if (preference.isEmpty()) {
                    continue;
                }
                int eq = preference.indexOf('=');
                String key = eq < 0 ? preference : preference.substring(0, eq).trim();
                String value = eq < 0 ? "" : preference.substring(eq + 1).trim();
                boolean known = true;
                switch (key) {
                    case "return" -> {
                        Return r = find(Return.values(), value, v -> v.token);
                        known = r != null;
                        returning = returning == null ? r : returning;
                    }
                    case "count" -> {
                        Count c = find(Count.values(), value, v -> v.token);
                        known = c != null;
                        count = count == null ? c : count;
                    }
                    case "resolution" -> {
                        Resolution r = find(Resolution.values(), value, v -> v.token);
                        known = r != null;
                        resolution = resolution == null ? r : resolution;
                    }
                    case "missing" -> {
                        Missing m = find(Missing.values(), value, v -> v.token);
                        known = m != null;
                        missing = missing == null ? m : missing;
                    }
                    case "tx" -> {
                        Tx t = find(Tx.values(), value, v -> v.token);
                        known = t != null;
                        tx = tx == null ? t : tx;
                    }
                    case "handling" -> {
                        Handling h = find(Handling.values(), value, v -> v.token);
                        known = h != null;
                        handling = handling == null ? h : handling;
                    }
                    case "timezone" -> {
                        known = !value.isEmpty();
                        timezone = timezone == null && known ? value : timezone;
                    }
                    case "max-affected" -> {
                        try {
                            long n = Long.parseLong(value);
                            known = n >= 0;
                            maxAffected = maxAffected == null && known ? Long.valueOf(n) : maxAffected;
                        } catch (NumberFormatException e) {
                            known = false;
                        }
                    }
                    case "params" -> known = value.equals("single-object") || value.equals("multiple-objects");
                    default -> known = false;
                }
                if (!known) {
                    invalid.add(preference);
                }
            }
        }
        if (handling == Handling.STRICT && !invalid.isEmpty()) {
            throw PgrstError.invalidPreferences(invalid);
        }
        return new Preferences(returning, count, resolution, missing, tx, handling, timezone, maxAffected);
    }

    private static <T> T find(T[] values, String token, java.util.function.Function<T, String> tokenOf) {
        for (T value : values) {
            if (tokenOf.apply(value).equals(token)) {
                return value;
            }
        }
        return null;
    }

    public boolean wantsRepresentation() {
        return returning == Return.REPRESENTATION;
    }

    public Preferences withTimezone(String zone) {
        return new Preferences(returning, count, resolution, missing, tx, handling, zone, maxAffected);
    }

    /**
     * The {@code Preference-Applied} value for the preferences a response honoured, in PostgREST's
     * order; null when none.
     */
    public String applied(boolean resolutionApplied, boolean returnApplied, boolean missingApplied,
                          boolean maxAffectedApplied) {
        List<String> out = new ArrayList<>();
        if (resolutionApplied && resolution != null) {
            out.add("resolution=" + resolution.token);
        }
        if (missingApplied && missing != null) {
            out.add("missing=" + missing.token);
        }
        if (returnApplied && returning != null) {
            out.add("return=" + returning.token);
        }
        if (count != null) {
            out.add("count=" + count.token);
        }
        if (tx != null) {
            out.add("tx=" + tx.token);
        }
        if (handling != null) {
            out.add("handling=" + handling.token);
        }
        if (timezone != null) {
            out.add("timezone=" + timezone);
        }
        if (maxAffectedApplied && maxAffected != null && handling == Handling.STRICT) {
            out.add("max-affected=" + maxAffected);
        }
        return out.isEmpty() ? null : String.join(", ", out);
    }
}
