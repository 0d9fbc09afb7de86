package dev.anvil.server.auth;

import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.anvil.server.http.ApiException;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/** {@code auth.users}: finding, creating and changing users. E-mail addresses are stored lower-cased. */
public final class UserStore {

    private static final String COLUMNS = "u.id::text AS id, u.email, u.password, u.email_verified, u.created_at, "
            + "u.updated_at, u.profile::text AS profile, u.metadata::text AS metadata, "
            + "(SELECT string_agg(DISTINCT p.provider, ',' ORDER BY p.provider) FROM auth.user_providers p "
            + "WHERE p.user_id = u.id) AS providers";

    private final DbClient db;

    public UserStore(DbClient db) {
        this.db = db;
    }

    /** A page of users for the admin list, newest first, and how many match in total. */
    public record Page(List<User> users, long total) {
    }

    public Optional<User> byEmail(String email) {
        // lower(email) matches rows older InsForge versions stored with capitals, and uses the index on it.
        return db.execute().get("SELECT " + COLUMNS + " FROM auth.users u WHERE lower(u.email) = lower(?)", email).map(UserStore::user);
    }

    public Optional<User> byId(String id) {
        return db.execute().get("SELECT " + COLUMNS + " FROM auth.users u WHERE u.id = ?::uuid", id).map(UserStore::user);
    }

    /**
     * Creates a user; 409 {@code AUTH_EMAIL_EXISTS} when the address is taken (in any letter case).
     *
     * @param passwordHash bcrypt hash, or null for a passwordless (OTP/OAuth) user
     * @param profileJson  the initial profile object as JSON
     */
    public User create(String email, String passwordHash, boolean emailVerified, String profileJson) {
        Optional<String> id = db.execute().get("INSERT INTO auth.users (email, password, email_verified, profile) "
                        + "SELECT ?, CAST(? AS text), ?, CAST(? AS jsonb) "
                        + "WHERE NOT EXISTS (SELECT 1 FROM auth.users WHERE lower(email) = lower(?)) "
                        + "ON CONFLICT (email) DO NOTHING RETURNING id::text AS id",
                        email, passwordHash, emailVerified, profileJson, email)
                .map(row -> row.column("id").get(String.class));
        if (id.isEmpty()) {
            throw new ApiException(409, "AUTH_EMAIL_EXISTS", "User already exists");
        }
        return byId(id.get()).orElseThrow();
    }

    public void markVerified(String userId) {
        db.execute().dml("UPDATE auth.users SET email_verified = true WHERE id = ?::uuid AND NOT email_verified", userId);
    }

    public void setPassword(String userId, String passwordHash) {
        db.execute().dml("UPDATE auth.users SET password = ? WHERE id = ?::uuid", passwordHash, userId);
    }

    /** The user's profile JSON, if the user exists. */
    public Optional<String> profile(String userId) {
        return db.execute().get("SELECT coalesce(profile, '{}'::jsonb)::text AS profile FROM auth.users WHERE id = ?::uuid", userId)
                .map(row -> row.column("profile").get(String.class));
    }

    /** Shallow-merges {@code patchJson} into the profile; the merged profile, if the user exists. */
    public Optional<String> mergeProfile(String userId, String patchJson) {
        return db.execute().get("UPDATE auth.users SET profile = coalesce(profile, '{}'::jsonb) || ?::jsonb "
                        + "WHERE id = ?::uuid RETURNING profile::text AS profile", patchJson, userId)
                .map(row -> row.column("profile").get(String.class));
    }

    /** Users whose e-mail or profile name contains {@code search} (when given), newest first. */
    public Page list(int limit, int offset, String search) {
        String pattern = search == null || search.isBlank() ? null : "%" + escapeLike(search.trim()) + "%";
        String where = " WHERE (CAST(? AS text) IS NULL OR u.email ILIKE ? OR u.profile ->> 'name' ILIKE ?)";
        List<User> users;
        try (var rows = db.execute().query("SELECT " + COLUMNS + " FROM auth.users u" + where
                + " ORDER BY u.created_at DESC, u.id LIMIT ? OFFSET ?", pattern, pattern, pattern, limit, offset)) {
            users = rows.map(UserStore::user).toList();
        }
        long total = db.execute().get("SELECT count(*) AS total FROM auth.users u" + where, pattern, pattern, pattern)
                .map(row -> row.column("total").get(Long.class)).orElse(0L);
        return new Page(users, total);
    }

    /** Deletes users (their sessions and provider links go with them); returns how many existed. */
    public long delete(List<String> userIds) {
        // Ids were validated as UUIDs, so the array literal cannot be malformed.
        String array = "{" + String.join(",", userIds) + "}";
        return db.execute().dml("DELETE FROM auth.users WHERE id = ANY (?::uuid[])", array);
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static User user(DbRow row) {
        String providers = row.column("providers").get(String.class);
        return new User(
                row.column("id").get(String.class),
                row.column("email").get(String.class),
                row.column("password").get(String.class),
                row.column("email_verified").get(Boolean.class),
                row.column("created_at").get(Timestamp.class).toInstant(),
                row.column("updated_at").get(Timestamp.class).toInstant(),
                row.column("profile").get(String.class),
                row.column("metadata").get(String.class),
                providers == null ? List.of() : Arrays.asList(providers.split(",")));
    }
}
