package dev.anvil.server.records.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.anvil.server.auth.AccessTokens;
import dev.anvil.server.http.Principal;

/**
 * InsForge's role exchange (contract §3.2 step 4): the token PostgREST sees instead of the client's
 * credential — HS256 with JWT_SECRET, five minutes — for the admin ({@code project_admin}), a user
 * ({@code sub}, {@code email}, {@code authenticated}) or anon. Tokens are reused for a few minutes
 * per identity, so PostgREST's own JWT cache gets hits too.
 */
public final class RoleExchange {

    private static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final Duration REUSE = Duration.ofMinutes(4);
    private static final int CACHE_LIMIT = 10_000;

    private final AccessTokens tokens;
    private final Clock clock;
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();

    public RoleExchange(AccessTokens tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    private record Issued(String token, Instant reuseUntil) {
    }

    public String tokenFor(Principal principal) {
        String subject;
        String email = null;
        String role = principal.dbRole();
        switch (principal) {
            case Principal.ApiKey apiKey -> subject = "project_admin";
            case Principal.Anon anon -> subject = null;
            case Principal.Token token -> {
                subject = token.subject();
                email = token.email();
            }
        }
        String key = role + "\u0000" + subject + "\u0000" + email;
        Instant now = clock.instant();
        Issued cached = issued.get(key);
        if (cached != null && now.isBefore(cached.reuseUntil())) {
            return cached.token();
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .claim("role", role)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)));
        if (subject != null) {
            claims.subject(subject);
        }
        if (email != null) {
            claims.claim("email", email);
        }
        String token = tokens.signHs256(claims.build());
        if (issued.size() >= CACHE_LIMIT) {
            issued.clear();
        }
        issued.put(key, new Issued(token, now.plus(REUSE)));
        return token;
    }
}
