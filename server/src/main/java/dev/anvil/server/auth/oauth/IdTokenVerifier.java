package dev.anvil.server.auth.oauth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Checks OpenID Connect ID tokens: an RS256 signature by a key of the provider's JWKS, the issuer,
 * the audience (one of our client ids), and the expiry. Key sets are cached for an hour and fetched
 * again when a token names a key we have not seen (providers rotate keys), at most once a minute.
 */
final class IdTokenVerifier {

    private static final Duration CACHE_FOR = Duration.ofHours(1);
    private static final Duration REFETCH_AT_MOST_EVERY = Duration.ofMinutes(1);
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private final ProviderHttp http;
    private final Clock clock;
    private final ConcurrentHashMap<String, CachedKeys> keySets = new ConcurrentHashMap<>();

    private record CachedKeys(JWKSet keys, Instant fetchedAt) {
    }

    /** Why a token was refused; the message is safe to show. */
    static final class InvalidIdToken extends RuntimeException {
        InvalidIdToken(String message) {
            super(message, null, false, false);
        }
    }

    IdTokenVerifier(ProviderHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /**
     * The verified claims.
     *
     * @param issuers   accepted {@code iss} values
     * @param audiences accepted {@code aud} values (our client ids); the token must name one of them
     */
    JWTClaimsSet verify(String provider, String token, String jwksUrl, Set<String> issuers, Set<String> audiences) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new InvalidIdToken("ID token is malformed");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new InvalidIdToken("ID token must be signed with RS256");
        }
        RSAKey key = key(provider, jwksUrl, jwt.getHeader().getKeyID());
        try {
            if (!jwt.verify(new RSASSAVerifier(key.toRSAPublicKey()))) {
                throw new InvalidIdToken("ID token signature is invalid");
            }
        } catch (JOSEException e) {
            throw new InvalidIdToken("ID token signature is invalid");
        }
        if (claims.getIssuer() == null || !issuers.contains(claims.getIssuer())) {
            throw new InvalidIdToken("ID token was issued by " + claims.getIssuer() + ", not by " + provider);
        }
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(audiences::contains)) {
            throw new InvalidIdToken("ID token was issued for another client (audience " + audience + ")");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null || now.isAfter(exp.toInstant().plus(CLOCK_SKEW))) {
            throw new InvalidIdToken("ID token has expired");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
            throw new InvalidIdToken("ID token is issued in the future");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new InvalidIdToken("ID token has no subject");
        }
        return claims;
    }

    private RSAKey key(String provider, String jwksUrl, String keyId) {
        Instant now = clock.instant();
        CachedKeys cached = keySets.get(jwksUrl);
        if (cached == null || Duration.between(cached.fetchedAt(), now).compareTo(CACHE_FOR) > 0) {
            cached = fetch(provider, jwksUrl, now);
        }
        JWK key = find(cached.keys(), keyId);
        if (key == null && Duration.between(cached.fetchedAt(), now).compareTo(REFETCH_AT_MOST_EVERY) > 0) {
            cached = fetch(provider, jwksUrl, now);
            key = find(cached.keys(), keyId);
        }
        if (!(key instanceof RSAKey rsa)) {
            throw new InvalidIdToken("ID token is signed with a key " + provider + " does not publish");
        }
        return rsa;
    }

    private CachedKeys fetch(String provider, String jwksUrl, Instant now) {
        JsonNode json = http.getJson(provider, "key set (JWKS) request", jwksUrl, null);
        try {
            CachedKeys fresh = new CachedKeys(JWKSet.parse(json.toString()), now);
            keySets.put(jwksUrl, fresh);
            return fresh;
        } catch (ParseException e) {
            throw new ProviderException(provider + " published an unreadable key set (JWKS)");
        }
    }

    private static JWK find(JWKSet keys, String keyId) {
        if (keyId == null) {
            // A token without kid can only be checked when the set has exactly one key.
            return keys.getKeys().size() == 1 ? keys.getKeys().get(0) : null;
        }
        return keys.getKeyByKeyId(keyId);
    }
}
