package dev.anvil.server.auth;

/**
 * The two kinds of session InsForge clients know: end users (cookie scoped to {@code /api/auth})
 * and the dashboard admin (its own cookie, scoped to {@code /api/auth/admin}, so the two never mix).
 * The name is the {@code sessionType} claim of the refresh token and part of the CSRF token.
 */
public enum SessionType {
    USER("user", "insforge_refresh_token", "/api/auth"),
    ADMIN("admin", "insforge_admin_refresh_token", "/api/auth/admin");

    private final String claim;
    private final String cookieName;
    private final String cookiePath;

    SessionType(String claim, String cookieName, String cookiePath) {
        this.claim = claim;
        this.cookieName = cookieName;
        this.cookiePath = cookiePath;
    }

    public String claim() {
        return claim;
    }

    public String cookieName() {
        return cookieName;
    }

    public String cookiePath() {
        return cookiePath;
    }

    public static SessionType fromClaim(Object claim) {
        for (SessionType type : values()) {
            if (type.claim.equals(claim)) {
                return type;
            }
        }
        return null;
    }
}
