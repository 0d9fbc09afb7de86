package dev.anvil.server.auth.mail;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * The SMTP configuration ({@code email.config}). The password is kept encrypted and only ever
 * reported as {@code hasPassword}.
 */
public record SmtpConfig(String id, boolean enabled, String host, int port, String username, String passwordEncrypted,
                         String senderEmail, String senderName, int minIntervalSeconds, Instant createdAt, Instant updatedAt) {

    /** What InsForge answers before anything was configured. */
    static SmtpConfig empty(Instant now) {
        return new SmtpConfig("00000000-0000-0000-0000-000000000000", false, "", 465, "", null, "", "", 60, now, now);
    }

    /** Enabled with a server to talk to: e-mail can be sent. */
    public boolean usable() {
        return enabled && host != null && !host.isBlank();
    }

    public boolean hasPassword() {
        return passwordEncrypted != null && !passwordEncrypted.isEmpty();
    }

    public ObjectNode toJson() {
        ObjectNode body = Json.object();
        body.put("id", id);
        body.put("enabled", enabled);
        body.put("host", host);
        body.put("port", port);
        body.put("username", username);
        body.put("hasPassword", hasPassword());
        body.put("senderEmail", senderEmail);
        body.put("senderName", senderName);
        body.put("minIntervalSeconds", minIntervalSeconds);
        body.put("createdAt", createdAt.truncatedTo(ChronoUnit.MILLIS).toString());
        body.put("updatedAt", updatedAt.truncatedTo(ChronoUnit.MILLIS).toString());
        return body;
    }
}
