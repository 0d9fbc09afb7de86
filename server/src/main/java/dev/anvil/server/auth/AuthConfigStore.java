package dev.anvil.server.auth;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * Reads and changes {@code auth.config}. Every sign-in consults it, so a copy is kept for a second:
 * a change made on this replica is seen at once, one made on another within a second.
 */
public final class AuthConfigStore {

    private static final Duration CACHE_FOR = Duration.ofSeconds(1);
    private static final String COLUMNS = "id::text AS id, require_email_verification, password_min_length, require_number, "
            + "require_lowercase, require_uppercase, require_special_char, verify_email_method, reset_password_method, "
            + "array_to_string(allowed_redirect_urls, chr(10)) AS allowed_redirect_urls, disable_signup, created_at, updated_at";

    private final DbClient db;
    private final Clock clock;
    private volatile Cached cached;

    private record Cached(AuthConfig config, Instant readAt) {
    }

    public AuthConfigStore(DbClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public AuthConfig get() {
        Cached current = cached;
        Instant now = clock.instant();
        if (current != null && Duration.between(current.readAt(), now).compareTo(CACHE_FOR) < 0) {
            return current.config();
        }
        AuthConfig config = read();
        cached = new Cached(config, now);
        return config;
    }

    private AuthConfig read() {
        Optional<DbRow> row = db.execute().get("SELECT " + COLUMNS + " FROM auth.config LIMIT 1");
        if (row.isEmpty()) {
            // The migration seeds the row; recreate it with defaults if someone deleted it.
            db.execute().dml("INSERT INTO auth.config (singleton) VALUES (true) ON CONFLICT (singleton) DO NOTHING");
            row = db.execute().get("SELECT " + COLUMNS + " FROM auth.config LIMIT 1");
        }
        return config(row.orElseThrow());
    }

    /**
     * Applies a partial update ({@code PUT /api/auth/config}); every field is validated before
     * anything is written.
     *
     * @param emailAvailable whether an e-mail provider is configured (verification needs one)
     */
    public AuthConfig update(JsonFields patch, BooleanSupplier emailAvailable) {
        List<String> sets = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        bool(patch, "requireEmailVerification", "require_email_verification", sets, params);
        patch.integer("passwordMinLength").ifPresent(length -> {
            if (length < 4) {
                throw ApiException.invalidInput("passwordMinLength: Number must be greater than or equal to 4");
            }
            if (length > 128) {
                throw ApiException.invalidInput("passwordMinLength: Number must be less than or equal to 128");
            }
            sets.add("password_min_length = ?");
            params.add(length.intValue());
        });
        bool(patch, "requireNumber", "require_number", sets, params);
        bool(patch, "requireLowercase", "require_lowercase", sets, params);
        bool(patch, "requireUppercase", "require_uppercase", sets, params);
        bool(patch, "requireSpecialChar", "require_special_char", sets, params);
        method(patch, "verifyEmailMethod", "verify_email_method", sets, params);
        method(patch, "resetPasswordMethod", "reset_password_method", sets, params);
        if (patch.raw().has("allowedRedirectUrls")) {
            List<String> urls = patch.stringList("allowedRedirectUrls").orElse(List.of());
            for (int i = 0; i < urls.size(); i++) {
                if (!RedirectAllowList.isValidEntry(urls.get(i))) {
                    throw ApiException.invalidInput("allowedRedirectUrls." + i + ": Invalid URL or wildcard URL");
                }
            }
            sets.add("allowed_redirect_urls = ?::text[]");
            params.add(textArray(urls));
        }
        bool(patch, "disableSignup", "disable_signup", sets, params);
        if (patch.bool("requireEmailVerification").orElse(false) && !emailAvailable.getAsBoolean()) {
            throw new ApiException(400, "EMAIL_PROVIDER_NOT_CONFIGURED",
                    "An email provider must be configured before email verification can be required.",
                    "Configure SMTP with PUT /api/auth/smtp-config first.");
        }
        if (!sets.isEmpty()) {
            db.execute().dml("UPDATE auth.config SET " + String.join(", ", sets), params.toArray());
        }
        cached = null;
        return get();
    }

    /** Configured OAuth providers and custom provider keys, for the public config. */
    public ObjectNode publicConfig() {
        ObjectNode body = Json.object();
        ArrayNode providers = body.putArray("oAuthProviders");
        try (var rows = db.execute().query("SELECT provider FROM auth.oauth_configs "
                + "WHERE client_id IS NOT NULL OR use_shared_key ORDER BY provider")) {
            rows.forEach(row -> providers.add(row.column("provider").get(String.class)));
        }
        ArrayNode custom = body.putArray("customOAuthProviders");
        try (var rows = db.execute().query("SELECT key FROM auth.custom_oauth_configs ORDER BY key")) {
            rows.forEach(row -> custom.add(row.column("key").get(String.class)));
        }
        get().putPublicFields(body);
        return body;
    }

    private static void bool(JsonFields patch, String field, String column, List<String> sets, List<Object> params) {
        patch.bool(field).ifPresent(value -> {
            sets.add(column + " = ?");
            params.add(value);
        });
    }

    private static void method(JsonFields patch, String field, String column, List<String> sets, List<Object> params) {
        patch.string(field).ifPresent(value -> {
            if (!value.equals("code") && !value.equals("link")) {
                throw ApiException.invalidInput(field + ": Invalid enum value. Expected 'code' | 'link', received '" + value + "'");
            }
            sets.add(column + " = ?");
            params.add(value);
        });
    }

    /** A Postgres text[] literal; every element quoted and escaped. */
    static String textArray(List<String> values) {
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            literal.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return literal.append('}').toString();
    }

    private static AuthConfig config(DbRow row) {
        String urls = row.column("allowed_redirect_urls").get(String.class);
        return new AuthConfig(
                row.column("id").get(String.class),
                row.column("require_email_verification").get(Boolean.class),
                row.column("password_min_length").get(Integer.class),
                row.column("require_number").get(Boolean.class),
                row.column("require_lowercase").get(Boolean.class),
                row.column("require_uppercase").get(Boolean.class),
                row.column("require_special_char").get(Boolean.class),
                row.column("verify_email_method").get(String.class),
                row.column("reset_password_method").get(String.class),
                urls == null || urls.isEmpty() ? List.of() : List.of(urls.split("\n")),
                row.column("disable_signup").get(Boolean.class),
                row.column("created_at").get(Timestamp.class).toInstant(),
                row.column("updated_at").get(Timestamp.class).toInstant());
    }
}
