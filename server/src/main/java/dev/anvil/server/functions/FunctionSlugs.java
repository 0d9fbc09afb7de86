package dev.anvil.server.functions;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** InsForge's slug rules: {@code ^[a-zA-Z0-9_-]+$}, derived from the name when absent, some names reserved. */
final class FunctionSlugs {

    static final Pattern PATTERN = Pattern.compile("^[a-zA-Z0-9_-]+$");
    static final String FORMAT_MESSAGE = "Invalid slug format - must be alphanumeric with hyphens or underscores only";
    /** The column is varchar(255). */
    static final int MAX_LENGTH = 255;
    /** Taken by the runtime's own routes (InsForge reserves "health", case-insensitively). */
    private static final Set<String> RESERVED = Set.of("health");

    private FunctionSlugs() {
    }

    static boolean valid(String slug) {
        return slug.length() <= MAX_LENGTH && PATTERN.matcher(slug).matches();
    }

    /** InsForge's default: the name lower-cased with runs of whitespace turned into hyphens. */
    static String fromName(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("\\s+", "-");
    }

    static boolean reserved(String slug) {
        return RESERVED.contains(slug.toLowerCase(Locale.ROOT));
    }
}
