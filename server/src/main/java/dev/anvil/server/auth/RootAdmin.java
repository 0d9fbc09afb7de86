package dev.anvil.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import dev.anvil.server.config.AnvilConfig;

/**
 * The dashboard admin, configured by environment ({@code ROOT_ADMIN_USERNAME}/{@code ROOT_ADMIN_PASSWORD},
 * or InsForge's older {@code ADMIN_EMAIL}/{@code ADMIN_PASSWORD}). Without a configured password,
 * admin sign-in is refused: there is deliberately no default password.
 */
public final class RootAdmin {

    private final String username;
    private final String password;

    RootAdmin(String username, String password) {
        this.username = username;
        this.password = password;
    }

    public static RootAdmin fromConfig(AnvilConfig config) {
        Optional<String> rootPassword = config.find(AuthSettings.ROOT_ADMIN_PASSWORD);
        if (rootPassword.isPresent()) {
            return new RootAdmin(config.get(AuthSettings.ROOT_ADMIN_USERNAME), rootPassword.get());
        }
        Optional<String> legacyPassword = config.find(AuthSettings.ADMIN_PASSWORD);
        String username = config.find(AuthSettings.ADMIN_EMAIL).orElseGet(() -> config.get(AuthSettings.ROOT_ADMIN_USERNAME));
        return new RootAdmin(username, legacyPassword.orElse(null));
    }

    public boolean enabled() {
        return password != null && !password.isEmpty();
    }

    /** Both compared in constant time, so response timing tells nothing about either. */
    public boolean matches(String candidateUsername, String candidatePassword) {
        if (!enabled()) {
            return false;
        }
        boolean user = MessageDigest.isEqual(candidateUsername.getBytes(StandardCharsets.UTF_8), username.getBytes(StandardCharsets.UTF_8));
        boolean pass = MessageDigest.isEqual(candidatePassword.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
        return user & pass;
    }

    /** The admin's token subject, {@code local:<username>}. */
    public String subject() {
        return "local:" + username;
    }

    /** Whether an admin session's subject still names the configured, enabled admin. */
    public boolean isCurrent(String subject) {
        return enabled() && subject().equals(subject);
    }
}
