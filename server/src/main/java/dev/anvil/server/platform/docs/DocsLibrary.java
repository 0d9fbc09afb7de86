package dev.anvil.server.platform.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The documentation agents read through {@code /api/docs} (and the MCP's {@code fetch-docs},
 * {@code fetch-sdk-docs}): markdown under {@code docs/} in the jar, written for Anvil. Every name
 * InsForge clients may ask for resolves to a page — features Anvil does not have (AI, payments,
 * deployments) to a page saying so and what to do instead; Swift and Kotlin to the REST reference
 * behind a note, since those SDKs call the same endpoints but are not tested against Anvil.
 * Everything is read once at start, so a missing page fails the start, not a request.
 */
public final class DocsLibrary {

    /** The doc types of shared-schemas' {@code docTypeSchema}, and the page each is. */
    static final Map<String, String> DOC_TYPES = orderedMap(
            "instructions", "instructions.md",
            "auth-sdk", "typescript/auth.md",
            "db-sdk", "typescript/db.md",
            "storage-sdk", "typescript/storage.md",
            "functions-sdk", "typescript/functions.md",
            "ai-integration-sdk", "not-available/ai.md",
            "real-time", "typescript/realtime.md",
            "deployment", "not-available/deployment.md",
            "payments", "not-available/payments.md");
    /** {@code sdkFeatureSchema} and {@code sdkLanguageSchema}. */
    static final List<String> FEATURES = List.of("db", "storage", "functions", "auth", "ai", "realtime", "payments");
    static final List<String> LANGUAGES = List.of("typescript", "swift", "kotlin", "rest-api");
    private static final List<String> NOT_AVAILABLE = List.of("ai", "payments");

    private final Map<String, String> pages = new LinkedHashMap<>();

    public DocsLibrary() {
        DOC_TYPES.forEach((type, file) -> pages.put(type, read(file)));
        for (String feature : FEATURES) {
            for (String language : LANGUAGES) {
                pages.put(feature + "/" + language, sdkPage(feature, language));
            }
        }
    }

    /** The page of a doc type ({@code instructions}, {@code db-sdk} …). */
    public Optional<String> docType(String type) {
        return DOC_TYPES.containsKey(type) ? Optional.of(pages.get(type)) : Optional.empty();
    }

    /** The page of a feature in a language ({@code db}/{@code typescript} …). */
    public Optional<String> sdk(String feature, String language) {
        return FEATURES.contains(feature) && LANGUAGES.contains(language)
                ? Optional.of(pages.get(feature + "/" + language)) : Optional.empty();
    }

    /** The file a doc type is served from, for the listing. */
    static String fileOf(String type) {
        return DOC_TYPES.get(type);
    }

    private String sdkPage(String feature, String language) {
        if (NOT_AVAILABLE.contains(feature)) {
            return read("not-available/" + feature + ".md");
        }
        return switch (language) {
            case "typescript", "rest-api" -> read(language + "/" + feature + ".md");
            default -> read("native/" + language + ".md") + "\n\n" + read("rest-api/" + feature + ".md");
        };
    }

    private static String read(String file) {
        try (InputStream in = DocsLibrary.class.getResourceAsStream("/docs/" + file)) {
            if (in == null) {
                throw new IllegalStateException("Documentation page docs/" + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
