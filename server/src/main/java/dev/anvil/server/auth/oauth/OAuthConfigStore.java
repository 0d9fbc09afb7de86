package dev.anvil.server.auth.oauth;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * {@code auth.oauth_configs} and {@code auth.custom_oauth_configs}: the app's registrations at
 * providers (contract §2.6). Lists are read as JSON and written from JSON arrays, so no array
 * literal is ever built by hand.
 */
final class OAuthConfigStore {

    private static final String BUILT_IN_COLUMNS = "id::text AS id, provider, client_id, secret_id::text AS secret_id, "
            + "array_to_json(scopes)::text AS scopes, redirect_uri, use_shared_key, "
            + "array_to_json(native_client_ids)::text AS native_client_ids, created_at, updated_at";
    private static final String CUSTOM_COLUMNS = "id::text AS id, key, name, discovery_endpoint, client_id, "
            + "secret_id::text AS secret_id, created_at, updated_at";
    /** Turns a JSON array parameter into text[]. */
    private static final String TEXT_ARRAY = "ARRAY(SELECT jsonb_array_elements_text(CAST(? AS jsonb)))";

    private final DbClient db;
    private final ClientSecrets secrets;

    OAuthConfigStore(DbClient db, ClientSecrets secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    // ---- built-in providers ----------------------------------------------------------------

    List<OAuthConfig> list() {
        try (var rows = db.execute().query("SELECT " + BUILT_IN_COLUMNS + " FROM auth.oauth_configs ORDER BY provider")) {
            return rows.map(OAuthConfigStore::builtIn).toList();
        }
    }

    Optional<OAuthConfig> find(String provider) {
        return db.execute().get("SELECT " + BUILT_IN_COLUMNS + " FROM auth.oauth_configs WHERE provider = ?", provider)
                .map(OAuthConfigStore::builtIn);
    }

    Optional<String> secret(OAuthConfig config) {
        return secrets.value(config.secretId());
    }

    /** {@code POST /oauth/configs}, validated; 409 when the provider already has a config. */
    OAuthConfig create(BuiltInProvider provider, JsonFields body) {
        Optional<String> clientId = body.string("clientId");
        Optional<String> clientSecret = body.string("clientSecret");
        List<String> scopes = body.stringList("scopes").orElse(provider.defaultScopes());
        Optional<String> redirectUri = body.string("redirectUri");
        List<String> nativeClientIds = body.stringList("nativeClientIds").orElse(List.of());
        boolean useSharedKey = body.bool("useSharedKey").orElseThrow(() -> ApiException.invalidInput("useSharedKey: Required"));
        refuseSharedKeys(useSharedKey);
        if (find(provider.wireName()).isPresent()) {
            throw alreadyExists(provider.wireName());
        }
        String secretId = clientSecret.map(secret -> secrets.putBuiltIn(provider.wireName(), secret)).orElse(null);
        return db.execute().get("INSERT INTO auth.oauth_configs (provider, client_id, secret_id, scopes, redirect_uri, "
                                + "use_shared_key, native_client_ids) VALUES (?, CAST(? AS text), CAST(? AS uuid), " + TEXT_ARRAY
                                + ", CAST(? AS text), ?, " + TEXT_ARRAY + ") ON CONFLICT (provider) DO NOTHING RETURNING "
                                + BUILT_IN_COLUMNS,
                        provider.wireName(), clientId.orElse(null), secretId, Json.string(scopes), redirectUri.orElse(null),
                        useSharedKey, Json.string(nativeClientIds))
                .map(OAuthConfigStore::builtIn)
                .orElseThrow(() -> alreadyExists(provider.wireName()));
    }

    /** {@code PUT /oauth/{provider}/config}: only the fields present change. */
    Optional<OAuthConfig> update(String provider, JsonFields body) {
        Optional<OAuthConfig> existing = find(provider);
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        List<String> sets = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        body.string("clientId").ifPresent(v -> set(sets, params, "client_id = ?", v));
        Optional<String> clientSecret = body.string("clientSecret");
        body.stringList("scopes").ifPresent(v -> set(sets, params, "scopes = " + TEXT_ARRAY, Json.string(v)));
        body.string("redirectUri").ifPresent(v -> set(sets, params, "redirect_uri = ?", v));
        body.stringList("nativeClientIds").ifPresent(v -> set(sets, params, "native_client_ids = " + TEXT_ARRAY, Json.string(v)));
        body.bool("useSharedKey").ifPresent(v -> {
            refuseSharedKeys(v);
            set(sets, params, "use_shared_key = ?", v);
        });
        String secretId = existing.get().secretId();
        if (clientSecret.isPresent()) {
            secretId = secrets.putBuiltIn(provider, clientSecret.get());
            set(sets, params, "secret_id = CAST(? AS uuid)", secretId);
        }
        if (!sets.isEmpty()) {
            sets.add("updated_at = now()");
            params.add(provider);
            db.execute().dml("UPDATE auth.oauth_configs SET " + String.join(", ", sets) + " WHERE provider = ?", params.toArray());
        }
        secrets.dropReplaced(existing.get().secretId(), secretId);
        return find(provider);
    }

    boolean delete(String provider) {
        Optional<OAuthConfig> existing = find(provider);
        if (existing.isEmpty() || db.execute().dml("DELETE FROM auth.oauth_configs WHERE provider = ?", provider) == 0) {
            return false;
        }
        secrets.dropReplaced(existing.get().secretId(), null);
        return true;
    }

    // ---- custom OpenID Connect providers ----------------------------------------------------

    List<CustomOAuthConfig> listCustom() {
        try (var rows = db.execute().query("SELECT " + CUSTOM_COLUMNS + " FROM auth.custom_oauth_configs ORDER BY key")) {
            return rows.map(OAuthConfigStore::custom).toList();
        }
    }

    Optional<CustomOAuthConfig> findCustom(String key) {
        return db.execute().get("SELECT " + CUSTOM_COLUMNS + " FROM auth.custom_oauth_configs WHERE key = ?", key)
                .map(OAuthConfigStore::custom);
    }

    Optional<String> secret(CustomOAuthConfig config) {
        return secrets.value(config.secretId());
    }

    CustomOAuthConfig createCustom(String key, String name, String discoveryEndpoint, String clientId, String clientSecret) {
        if (findCustom(key).isPresent()) {
            throw customExists(key);
        }
        String secretId = secrets.putCustom(key, clientSecret);
        return db.execute().get("INSERT INTO auth.custom_oauth_configs (key, name, discovery_endpoint, client_id, secret_id) "
                                + "VALUES (?, ?, ?, ?, CAST(? AS uuid)) ON CONFLICT (key) DO NOTHING RETURNING " + CUSTOM_COLUMNS,
                        key, name, discoveryEndpoint, clientId, secretId)
                .map(OAuthConfigStore::custom)
                .orElseThrow(() -> customExists(key));
    }

    /** Changes the given fields (each already validated; null = unchanged). */
    Optional<CustomOAuthConfig> updateCustom(String key, String name, String discoveryEndpoint, String clientId,
                                             String clientSecret) {
        Optional<CustomOAuthConfig> existing = findCustom(key);
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        String secretId = clientSecret == null ? existing.get().secretId() : secrets.putCustom(key, clientSecret);
        db.execute().dml("UPDATE auth.custom_oauth_configs SET name = coalesce(CAST(? AS text), name), "
                        + "discovery_endpoint = coalesce(CAST(? AS text), discovery_endpoint), "
                        + "client_id = coalesce(CAST(? AS text), client_id), secret_id = CAST(? AS uuid), updated_at = now() "
                        + "WHERE key = ?", name, discoveryEndpoint, clientId, secretId, key);
        secrets.dropReplaced(existing.get().secretId(), secretId);
        return findCustom(key);
    }

    boolean deleteCustom(String key) {
        Optional<CustomOAuthConfig> existing = findCustom(key);
        if (existing.isEmpty() || db.execute().dml("DELETE FROM auth.custom_oauth_configs WHERE key = ?", key) == 0) {
            return false;
        }
        secrets.dropReplaced(existing.get().secretId(), null);
        return true;
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Shared keys are InsForge Cloud's; a self-hosted server has none to offer. */
    private static void refuseSharedKeys(boolean useSharedKey) {
        if (useSharedKey) {
            throw new ApiException(400, "AUTH_OAUTH_CONFIG_ERROR", "Shared OAuth keys are not enabled in this environment",
                    "Register an OAuth app with the provider and set clientId and clientSecret.");
        }
    }

    private static void set(List<String> sets, List<Object> params, String clause, Object value) {
        sets.add(clause);
        params.add(value);
    }

    private static ApiException alreadyExists(String provider) {
        return new ApiException(409, "AUTH_OAUTH_CONFIG_ALREADY_EXISTS", "OAuth configuration for " + provider + " already exists");
    }

    private static ApiException customExists(String key) {
        return new ApiException(409, "AUTH_OAUTH_CONFIG_ALREADY_EXISTS", "Custom OAuth configuration for " + key + " already exists");
    }

    /** Millisecond ISO-8601, like the JavaScript dates InsForge clients are used to. */
    static String iso(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static OAuthConfig builtIn(DbRow row) {
        return new OAuthConfig(
                row.column("id").get(String.class),
                row.column("provider").get(String.class),
                row.column("client_id").get(String.class),
                row.column("secret_id").get(String.class),
                stringList(row.column("scopes").get(String.class)),
                row.column("redirect_uri").get(String.class),
                row.column("use_shared_key").get(Boolean.class),
                Optional.ofNullable(stringList(row.column("native_client_ids").get(String.class))).orElse(List.of()),
                row.column("created_at").get(Timestamp.class).toInstant(),
                row.column("updated_at").get(Timestamp.class).toInstant());
    }

    private static CustomOAuthConfig custom(DbRow row) {
        return new CustomOAuthConfig(
                row.column("id").get(String.class),
                row.column("key").get(String.class),
                row.column("name").get(String.class),
                row.column("discovery_endpoint").get(String.class),
                row.column("client_id").get(String.class),
                row.column("secret_id").get(String.class),
                row.column("created_at").get(Timestamp.class).toInstant(),
                row.column("updated_at").get(Timestamp.class).toInstant());
    }

    private static List<String> stringList(String json) {
        if (json == null) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : Json.parse(json)) {
            values.add(item.asText());
        }
        return values;
    }
}
