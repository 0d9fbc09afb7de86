package dev.anvil.server.secrets;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/secrets} (contract §7, admin only): list without values, read one, create, update,
 * soft-delete, and rotate the admin API key and the anon key with a grace period. Reserved secrets
 * (the platform's own keys and URLs) can be read but not changed or deleted here.
 */
public final class SecretsService implements HttpService {

    private static final Pattern KEY_FORMAT = Pattern.compile("^[A-Z0-9_]+$");

    private final Credentials credentials;
    private final SecretStore store;
    private final KeyRotation rotation;
    private final Runnable secretsChanged;

    /** {@code secretsChanged} runs after every change (functions see secrets through a cache). */
    public SecretsService(Credentials credentials, SecretStore store, KeyRotation rotation, Runnable secretsChanged) {
        this.credentials = credentials;
        this.store = store;
        this.rotation = rotation;
        this.secretsChanged = secretsChanged;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .post("/api-key/rotate", (req, res) -> rotate(req, res, KeyRotation.Kind.API_KEY))
                .post("/anon-key/rotate", (req, res) -> rotate(req, res, KeyRotation.Kind.ANON_KEY))
                .get("/{key}", this::read)
                .put("/{key}", this::update)
                .delete("/{key}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ObjectNode body = Json.object();
        ArrayNode secrets = body.putArray("secrets");
        for (SecretStore.Metadata secret : store.list()) {
            ObjectNode item = secrets.addObject();
            item.put("id", secret.id());
            item.put("key", secret.key());
            item.put("isActive", secret.active());
            item.put("isReserved", secret.reserved());
            item.putPOJO("lastUsedAt", millis(secret.lastUsedAt()));
            item.putPOJO("expiresAt", millis(secret.expiresAt()));
            item.putPOJO("createdAt", millis(secret.createdAt()));
            item.putPOJO("updatedAt", millis(secret.updatedAt()));
        }
        Json.send(res, body);
    }

    private void read(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String key = req.path().pathParameters().get("key");
        String value = store.readAndTouch(key).orElseThrow(() -> notFound(key));
        ObjectNode body = Json.object();
        body.put("key", key);
        body.put("value", value);
        Json.send(res, body);
    }

    private void create(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        JsonFields fields = RequestBody.object(req);
        String key = fields.string("key").orElse("");
        String value = fields.string("value").orElse("");
        if (key.isEmpty() || value.isEmpty()) {
            throw ApiException.invalidInput("Both key and value are required");
        }
        if (!KEY_FORMAT.matcher(key).matches()) {
            throw ApiException.invalidInput(
                    "Invalid key format. Use uppercase letters, numbers, and underscores only (e.g., STRIPE_API_KEY)");
        }
        boolean reserved = fields.bool("isReserved").orElse(false);
        Instant expiresAt = expiresAt(fields).orElse(null);
        Optional<SecretStore.Metadata> existing = store.find(key);
        String id;
        if (existing.isPresent() && existing.get().active()) {
            throw new ApiException(409, "SECRET_ALREADY_EXISTS", "Secret already exists: " + key);
        } else if (existing.isPresent()) {
            // A deleted (inactive) secret comes back with the new value, as InsForge does.
            store.update(key, value, true, reserved, expiresAt, expiresAt == null);
            id = existing.get().id();
        } else {
            id = store.create(key, value, reserved, expiresAt);
        }
        secretsChanged.run();
        AuditLog.record(req, "CREATE_SECRET", "SECRETS", Json.object().put("key", key));
        ObjectNode body = Json.object();
        body.put("success", true);
        body.put("message", "Secret " + key + " has been created successfully");
        body.put("id", id);
        Json.send(res, 201, body);
    }

    private void update(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String key = req.path().pathParameters().get("key");
        JsonFields fields = RequestBody.object(req);
        SecretStore.Metadata secret = store.find(key).orElseThrow(() -> notFound(key));
        if (secret.reserved()) {
            throw ApiException.forbidden("Cannot update reserved secret: " + key);
        }
        String value = fields.string("value").orElse(null);
        Boolean active = fields.bool("isActive").orElse(null);
        Boolean reserved = fields.bool("isReserved").orElse(null);
        boolean expirySent = fields.raw().has("expiresAt");
        Instant expiresAt = expiresAt(fields).orElse(null);
        if (value == null && active == null && reserved == null && !expirySent) {
            throw ApiException.invalidInput("Nothing to update: send value, isActive, isReserved or expiresAt");
        }
        store.update(key, value, active, reserved, expiresAt, expirySent && expiresAt == null);
        secretsChanged.run();
        AuditLog.record(req, "UPDATE_SECRET", "SECRETS", Json.object().put("key", key).put("valueChanged", value != null));
        Json.send(res, success("Secret " + key + " has been updated successfully"));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String key = req.path().pathParameters().get("key");
        SecretStore.Metadata secret = store.find(key).orElseThrow(() -> notFound(key));
        if (secret.reserved()) {
            throw ApiException.forbidden("Cannot delete reserved secret: " + key);
        }
        // Soft delete, as InsForge does: the row stays, inactive, and a create brings it back.
        store.update(key, null, false, null, null, false);
        secretsChanged.run();
        AuditLog.record(req, "DELETE_SECRET", "SECRETS", Json.object().put("key", key));
        Json.send(res, success("Secret " + key + " has been deleted successfully"));
    }

    private void rotate(ServerRequest req, ServerResponse res, KeyRotation.Kind kind) {
        credentials.admin(req);
        int grace = gracePeriodHours(RequestBody.json(req), kind);
        KeyRotation.Rotated rotated = rotation.rotate(kind, grace);
        secretsChanged.run();
        AuditLog.record(req, kind == KeyRotation.Kind.API_KEY ? "ROTATE_API_KEY" : "ROTATE_ANON_KEY", "SECRETS",
                Json.object().put("gracePeriodHours", grace));
        ObjectNode body = Json.object();
        body.put("success", true);
        if (kind == KeyRotation.Kind.API_KEY) {
            body.put("message", "API key rotated successfully. Old key will remain valid during grace period.");
            body.put("apiKey", rotated.newKey());
        } else {
            body.put("message", "Anon key rotated successfully. Old key will remain valid during grace period.");
            body.put("anonKey", rotated.newKey());
        }
        body.putPOJO("oldKeyExpiresAt", millis(rotated.oldKeyExpiresAt()));
        Json.send(res, body);
    }

    /** zod's {@code z.coerce.number().int().nonnegative().max(n).optional()}, with its messages. */
    static int gracePeriodHours(JsonNode body, KeyRotation.Kind kind) {
        JsonNode raw = body.isObject() ? body.get("gracePeriodHours") : null;
        if (raw == null || raw.isNull()) {
            return kind.defaultGraceHours();
        }
        double number;
        if (raw.isNumber()) {
            number = raw.doubleValue();
        } else if (raw.isTextual() && !raw.textValue().isBlank()) {
            try {
                number = Double.parseDouble(raw.textValue().trim());
            } catch (NumberFormatException e) {
                throw invalidRequest("Expected number, received nan");
            }
        } else if (raw.isBoolean()) {
            number = raw.booleanValue() ? 1 : 0;
        } else if (raw.isTextual()) {
            number = 0; // Number("") is 0
        } else {
            throw invalidRequest("Expected number, received nan");
        }
        if (number != Math.rint(number)) {
            throw invalidRequest("Expected integer, received float");
        }
        if (number < 0) {
            throw invalidRequest("Number must be greater than or equal to 0");
        }
        if (number > kind.maxGraceHours()) {
            throw invalidRequest("Number must be less than or equal to " + kind.maxGraceHours());
        }
        return (int) number;
    }

    private static ApiException invalidRequest(String message) {
        return ApiException.invalidInput("Invalid request: " + message);
    }

    private static Optional<Instant> expiresAt(JsonFields fields) {
        return fields.string("expiresAt").map(text -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw ApiException.invalidInput("expiresAt: Invalid date (expected ISO 8601, e.g. 2030-01-01T00:00:00Z)");
            }
        });
    }

    private static ObjectNode success(String message) {
        ObjectNode body = Json.object();
        body.put("success", true);
        body.put("message", message);
        return body;
    }

    private static ApiException notFound(String key) {
        return ApiException.notFound("SECRET_NOT_FOUND", "Secret not found: " + key);
    }

    /** Timestamps as JavaScript prints them (millisecond precision). */
    private static Instant millis(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }
}
