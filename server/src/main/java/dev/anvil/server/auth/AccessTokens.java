package dev.anvil.server.auth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;

/**
 * Issues and verifies access tokens. Issued tokens are RS256 with the instance's {@code kid};
 * HS256 tokens signed with {@code JWT_SECRET} are also accepted, as InsForge does. Verification is
 * strict: only RS256 (with our kid) and HS256, at most 30 s clock skew, an {@code exp} required
 * (except legacy anon-key JWTs), tokens carrying a {@code type} (refresh, state …) refused, and the
 * role limited to anon/authenticated/project_admin. Verified tokens are cached until they expire.
 */
public final class AccessTokens {

    /** The most clock skew ever tolerated (and the default); ANVIL_JWT_CLOCK_SKEW_SECONDS may lower it. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private static final int CACHE_LIMIT = 20_000;

    /** The keys and what is built from them; see the constructor taking a future. */
    private final CompletableFuture<Material> material;
    private final Duration accessTokenTtl;
    private final Clock clock;
    private final Duration clockSkew;
    private final Map<String, Principal> verified = new ConcurrentHashMap<>();

    /** The signing keys, and the signer and verifiers made from them. */
    private record Material(SigningKeys keys, Hs256 hs256, RSASSASigner rsaSigner, RSASSAVerifier rsaVerifier) {
        static Material of(SigningKeys keys) {
            try {
                return new Material(keys, new Hs256(keys.hmacSecret()), new RSASSASigner(keys.rsa()),
                        new RSASSAVerifier(keys.rsa().toRSAPublicKey()));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public AccessTokens(SigningKeys keys, Duration accessTokenTtl, Clock clock) {
        this(keys, accessTokenTtl, clock, CLOCK_SKEW);
    }

    public AccessTokens(SigningKeys keys, Duration accessTokenTtl, Clock clock, Duration clockSkew) {
        this(CompletableFuture.completedFuture(keys), accessTokenTtl, clock, clockSkew);
        material(); // keys given outright: one the signer cannot use fails here, not on first use
    }

    /**
     * With keys that are still being loaded: the server builds its services while the instance's keys
     * load, and has them before it accepts connections. Every use waits for the keys (and fails if
     * loading them failed), so nothing is ever signed or verified without them.
     */
    public AccessTokens(CompletableFuture<SigningKeys> keys, Duration accessTokenTtl, Clock clock, Duration clockSkew) {
        if (clockSkew.isNegative() || clockSkew.compareTo(CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clock skew must be between 0 and " + CLOCK_SKEW.toSeconds() + " seconds");
        }
        this.material = keys.thenApply(Material::of);
        this.clockSkew = clockSkew;
        this.accessTokenTtl = accessTokenTtl;
        this.clock = clock;
    }

    private Material material() {
        return material.join();
    }

    public Duration accessTokenTtl() {
        return accessTokenTtl;
    }

    public SigningKeys keys() {
        return material().keys();
    }

    /** An RS256 access token for a user ({@code role: authenticated}) or an admin ({@code project_admin}). */
    public String issue(String subject, String email, String role) {
        return issue(subject, email, role, null);
    }

    /**
     * As {@link #issue(String, String, String)}, naming the server-side session ({@code sid}) the
     * token belongs to, so a sign-out presented with only the access token can end that session.
     */
    public String issue(String subject, String email, String role, String sessionId) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .claim("role", role)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(accessTokenTtl)));
        if (email != null) {
            claims.claim("email", email);
        }
        if (sessionId != null) {
            claims.claim("sid", sessionId);
        }
        return signRs256(claims.build());
    }

    public String signRs256(JWTClaimsSet claims) {
        Material signing = material();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(signing.keys().keyId()).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signing.rsaSigner());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** An HS256 token signed with JWT_SECRET: refresh tokens, OAuth state, PostgREST-internal tokens. */
    public String signHs256(JWTClaimsSet claims) {
        return material().hs256().sign(claims);
    }

    /**
     * Checks an HS256 token of a given purpose ({@code type} claim), e.g. refresh tokens. Returns the
     * claims, or throws {@link InvalidTokenException}. Expiry is checked with the same skew.
     */
    public JWTClaimsSet verifyHs256(String token, String expectedType) {
        SignedJWT jwt = parse(token);
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !material().hs256().verify(jwt)) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        JWTClaimsSet claims = claims(jwt);
        if (!expectedType.equals(claims.getClaim("type"))) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        checkTimes(claims, true);
        return claims;
    }

    /** Verifies an access token and turns it into the caller's principal. */
    public Principal verify(String token) {
        Principal cached = verified.get(token);
        if (cached != null) {
            if (!(cached instanceof Principal.Token t) || t.expiresAtEpochSecond() == 0
                    || clock.instant().getEpochSecond() <= t.expiresAtEpochSecond() + clockSkew.toSeconds()) {
                return cached;
            }
            verified.remove(token);
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        Principal principal = verifyUncached(token);
        remember(token, principal);
        return principal;
    }

    private Principal verifyUncached(String token) {
        SignedJWT jwt = parse(token);
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        Material signing = material();
        boolean signatureOk;
        try {
            if (JWSAlgorithm.RS256.equals(alg)) {
                signatureOk = signing.keys().keyId().equals(jwt.getHeader().getKeyID()) && jwt.verify(signing.rsaVerifier());
            } else if (JWSAlgorithm.HS256.equals(alg)) {
                signatureOk = signing.hs256().verify(jwt);
            } else {
                signatureOk = false;
            }
        } catch (JOSEException e) {
            signatureOk = false;
        }
        if (!signatureOk) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        JWTClaimsSet claims = claims(jwt);
        if (claims.getClaim("type") != null) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        Object roleClaim = claims.getClaim("role");
        String role = roleClaim == null ? Principal.AUTHENTICATED : String.valueOf(roleClaim);
        if (!Principal.DATABASE_ROLES.contains(role)) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        boolean legacyAnon = Principal.ANON.equals(role);
        checkTimes(claims, !legacyAnon);
        if (legacyAnon) {
            return new Principal.Anon();
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new InvalidTokenException(InvalidTokenException.Reason.NO_SUBJECT);
        }
        Object email = claims.getClaim("email");
        Map<String, Object> claimMap = claims.toJSONObject();
        long exp = claims.getExpirationTime() == null ? 0 : claims.getExpirationTime().toInstant().getEpochSecond();
        return new Principal.Token(subject, email == null ? null : String.valueOf(email), role, claimMap,
                Json.string(claimMap), exp);
    }

    private void checkTimes(JWTClaimsSet claims, boolean expiryRequired) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            if (expiryRequired) {
                throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
            }
        } else if (now.isAfter(exp.toInstant().plus(clockSkew))) {
            throw new InvalidTokenException(InvalidTokenException.Reason.EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plus(clockSkew))) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(clockSkew))) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
    }

    private void remember(String token, Principal principal) {
        if (verified.size() >= CACHE_LIMIT) {
            long now = clock.instant().getEpochSecond();
            verified.values().removeIf(p -> p instanceof Principal.Token t && t.expiresAtEpochSecond() < now);
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
        }
        verified.put(token, principal);
    }

    private static SignedJWT parse(String token) {
        try {
            return SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
    }

    private static JWTClaimsSet claims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
    }
}
