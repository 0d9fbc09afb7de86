package dev.anvil.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * The project's auth configuration ({@code auth.config}): password policy, e-mail verification and
 * reset methods, the redirect allow-list and the sign-up switch.
 */
public record AuthConfig(String id, boolean requireEmailVerification, int passwordMinLength, boolean requireNumber,
                         boolean requireLowercase, boolean requireUppercase, boolean requireSpecialChar,
                         String verifyEmailMethod, String resetPasswordMethod, List<String> allowedRedirectUrls,
                         boolean disableSignup, Instant createdAt, Instant updatedAt) {

    /** InsForge's special characters for {@code requireSpecialChar}. */
    private static final Pattern SPECIAL = Pattern.compile("[!@#$%^&*()_+\\-=\\[\\]{};\\\\|,.<>/?]");
    private static final Pattern DIGIT = Pattern.compile("\\d");
    private static final Pattern LOWER = Pattern.compile("[a-z]");
    private static final Pattern UPPER = Pattern.compile("[A-Z]");

    public boolean verifiesByLink() {
        return "link".equals(verifyEmailMethod);
    }

    public boolean resetsByLink() {
        return "link".equals(resetPasswordMethod);
    }

    /** Why a password does not meet the policy (InsForge's message), or empty when it does. */
    public Optional<String> passwordProblem(String password) {
        boolean ok = password.codePointCount(0, password.length()) >= passwordMinLength
                && (!requireNumber || DIGIT.matcher(password).find())
                && (!requireLowercase || LOWER.matcher(password).find())
                && (!requireUppercase || UPPER.matcher(password).find())
                && (!requireSpecialChar || SPECIAL.matcher(password).find());
        if (ok) {
            return Optional.empty();
        }
        StringBuilder message = new StringBuilder("Password must contain at least ").append(passwordMinLength)
                .append(" characters long");
        if (requireNumber) {
            message.append(", at least one number");
        }
        if (requireLowercase) {
            message.append(", at least one lowercase letter");
        }
        if (requireUppercase) {
            message.append(", at least one uppercase letter");
        }
        if (requireSpecialChar) {
            message.append(", at least one special character");
        }
        return Optional.of(message.toString());
    }

    /** The admin view ({@code GET /api/auth/config}). */
    public ObjectNode toJson() {
        ObjectNode body = Json.object();
        body.put("id", id);
        putPolicy(body);
        ArrayNode urls = body.putArray("allowedRedirectUrls");
        allowedRedirectUrls.forEach(urls::add);
        body.put("disableSignup", disableSignup);
        body.put("createdAt", User.iso(createdAt));
        body.put("updatedAt", User.iso(updatedAt));
        return body;
    }

    /** The fields anyone may read ({@code GET /api/auth/public-config} adds the OAuth providers). */
    public void putPublicFields(ObjectNode body) {
        putPolicy(body);
        body.put("disableSignup", disableSignup);
    }

    private void putPolicy(ObjectNode body) {
        body.put("requireEmailVerification", requireEmailVerification);
        body.put("passwordMinLength", passwordMinLength);
        body.put("requireNumber", requireNumber);
        body.put("requireLowercase", requireLowercase);
        body.put("requireUppercase", requireUppercase);
        body.put("requireSpecialChar", requireSpecialChar);
        body.put("verifyEmailMethod", verifyEmailMethod);
        body.put("resetPasswordMethod", resetPasswordMethod);
    }
}
