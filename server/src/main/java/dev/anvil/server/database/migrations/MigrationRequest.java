package dev.anvil.server.database.migrations;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;

/**
 * The body of {@code POST /api/database/migrations} and its dry run: {@code {version, name, sql}}
 * as InsForge's {@code createMigrationRequestSchema} validates it — version 1 to 64 digits, name
 * and sql trimmed and non-empty, name in lowercase kebab case. Every problem is reported at once,
 * joined the way InsForge joins zod issues ({@code "version: …, name: …"}).
 */
public record MigrationRequest(String version, String name, String sql) {

    static final String VERSION_FORMAT =
            "Migration version must be a numeric string of at most 64 digits (e.g. 0001 or 20260418091500).";
    private static final Pattern VERSION = Pattern.compile("\\d{1,64}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

    public static MigrationRequest from(JsonFields body) {
        List<String> issues = new ArrayList<>();
        String version = text(body, "version", issues).orElse(null);
        if (version != null && !VERSION.matcher(version).matches()) {
            issues.add("version: " + VERSION_FORMAT);
        }
        String name = text(body, "name", issues).map(String::strip).orElse(null);
        if (name != null && name.isEmpty()) {
            issues.add("name: Migration name is required");
        } else if (name != null && !NAME.matcher(name).matches()) {
            issues.add("name: Use lowercase letters, numbers, and hyphens only.");
        }
        String sql = text(body, "sql", issues).map(String::strip).orElse(null);
        if (sql != null && sql.isEmpty()) {
            issues.add("sql: Migration SQL is required");
        }
        if (!issues.isEmpty()) {
            throw ApiException.invalidInput(String.join(", ", issues));
        }
        return new MigrationRequest(version, name, sql);
    }

    /** A string field, or the zod issue for a missing (absent) or mistyped (null included) one, then empty. */
    private static Optional<String> text(JsonFields body, String field, List<String> issues) {
        JsonNode value = body.raw().get(field);
        if (value == null) {
            issues.add(field + ": Required");
            return Optional.empty();
        }
        if (!value.isTextual()) {
            issues.add(field + ": Expected string, received " + JsonFields.typeName(value));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }
}
