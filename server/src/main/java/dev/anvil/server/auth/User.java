package dev.anvil.server.auth;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * A row of {@code auth.users} with its sign-in providers, rendered as InsForge's {@code UserSchema}
 * (contract §2.4). The password hash stays inside the server.
 *
 * @param providers OAuth provider names linked to the user (without "email")
 */
public record User(String id, String email, String passwordHash, boolean emailVerified, Instant createdAt,
                   Instant updatedAt, String profileJson, String metadataJson, List<String> providers) {

    public boolean hasPassword() {
        return passwordHash != null && !passwordHash.isEmpty();
    }

    /** The display name used in e-mails ({@code profile.name}, else "User" as InsForge does). */
    public String displayName() {
        if (profileJson == null) {
            return "User";
        }
        var name = Json.parse(profileJson).path("name");
        return name.isTextual() && !name.asText().isBlank() ? name.asText() : "User";
    }

    public ObjectNode toJson() {
        ObjectNode user = Json.object();
        user.put("id", id);
        user.put("email", email);
        user.put("emailVerified", emailVerified);
        ArrayNode names = user.putArray("providers");
        if (hasPassword()) {
            names.add("email");
        }
        providers.forEach(names::add);
        user.put("createdAt", iso(createdAt));
        user.put("updatedAt", iso(updatedAt));
        user.set("profile", profileJson == null ? null : Json.parse(profileJson));
        user.set("metadata", metadataJson == null ? null : Json.parse(metadataJson));
        return user;
    }

    /** Millisecond precision, like the JavaScript dates InsForge clients are used to. */
    static String iso(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
