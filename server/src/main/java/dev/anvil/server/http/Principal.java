package dev.anvil.server.http;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, decided once per request from the credential's shape (contract §1.1). Each
 * principal knows the database role it acts as and the claims Postgres sees in
 * {@code request.jwt.claims}, so RLS policies using {@code auth.uid()} work the same for the records
 * engine, storage and realtime.
 */
public sealed interface Principal {

    String ANON = "anon";
    String AUTHENTICATED = "authenticated";
    String PROJECT_ADMIN = "project_admin";

    /** The only roles a request may act as; a token naming any other role is refused. */
    Set<String> DATABASE_ROLES = Set.of(ANON, AUTHENTICATED, PROJECT_ADMIN);

    /** The Postgres role the request runs as. */
    String dbRole();

    /** Claims JSON for {@code request.jwt.claims}. */
    String claimsJson();

    /** True for the admin API key and for tokens with {@code role: project_admin}. */
    default boolean isAdmin() {
        return PROJECT_ADMIN.equals(dbRole());
    }

    /** The end user's id, when the caller is a signed-in user. */
    default Optional<String> userId() {
        return Optional.empty();
    }

    /** The admin API key ({@code ik_…}): full admin, no user. */
    record ApiKey() implements Principal {
        @Override
        public String dbRole() {
            return PROJECT_ADMIN;
        }

        @Override
        public String claimsJson() {
            return "{\"role\":\"project_admin\"}";
        }
    }

    /** The public anon key ({@code anon_…}) or a legacy anon JWT: role {@code anon}, subject "anonymous". */
    record Anon() implements Principal {
        @Override
        public String dbRole() {
            return ANON;
        }

        @Override
        public String claimsJson() {
            return "{\"role\":\"anon\"}";
        }
    }

    /**
     * A verified access token. {@code role} is {@code authenticated} for users and
     * {@code project_admin} for admin sessions; {@code claims} are the token's claims as verified.
     */
    record Token(String subject, String email, String role, Map<String, Object> claims, String claimsJson,
                 long expiresAtEpochSecond) implements Principal {
        @Override
        public String dbRole() {
            return role;
        }

        @Override
        public Optional<String> userId() {
            return AUTHENTICATED.equals(role) ? Optional.of(subject) : Optional.empty();
        }
    }
}
