package dev.anvil.server.auth.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.anvil.server.auth.AccessTokens;
import dev.anvil.server.auth.InvalidTokenException;

/**
 * The {@code state} of an OAuth sign-in: an HS256 token signed with JWT_SECRET, like InsForge's,
 * holding the provider, the app's redirect URI and its PKCE challenge. Unlike InsForge's (1 hour)
 * it lives minutes, and its {@code type} claim makes it useless as an access or refresh token.
 *
 * <p>It also keys the PKCE pair Anvil itself uses towards the provider: the provider verifier is
 * derived from the state's id with the server's secret, so any replica can recompute it at the
 * callback and nothing needs storing, while someone who sees the state (it travels in URLs) cannot.
 */
final class OAuthState {

    static final String TYPE = "oauth_state";
    private static final String VERIFIER_TYPE = "oauth_provider_pkce";

    private final AccessTokens tokens;
    private final Duration ttl;
    private final Clock clock;

    /** What a verified state says. {@code provider} is a built-in name or {@code custom:<key>}. */
    record Claims(String id, String provider, String redirectUri, String codeChallenge) {
    }

    OAuthState(AccessTokens tokens, Duration ttl, Clock clock) {
        this.tokens = tokens;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A new state token and its id (which keys the provider PKCE verifier). */
    record Issued(String token, String id) {
    }

    Issued issue(String provider, String redirectUri, String codeChallenge) {
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        return new Issued(tokens.signHs256(new JWTClaimsSet.Builder()
                .jwtID(id)
                .claim("type", TYPE)
                .claim("provider", provider)
                .claim("redirectUri", redirectUri)
                .claim("codeChallenge", codeChallenge)
                .claim("createdAt", now.toEpochMilli())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .build()), id);
    }

    /** The claims of a genuine, unexpired state; throws {@link InvalidTokenException} otherwise. */
    Claims verify(String state) {
        JWTClaimsSet claims = tokens.verifyHs256(state, TYPE);
        String id = claims.getJWTID();
        if (id == null || !(claims.getClaim("provider") instanceof String provider)
                || !(claims.getClaim("redirectUri") instanceof String redirectUri)
                || !(claims.getClaim("codeChallenge") instanceof String challenge)) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        return new Claims(id, provider, redirectUri, challenge);
    }

    /** The PKCE verifier towards the provider for this sign-in: a keyed hash of the state's id. */
    String providerVerifier(String stateId) {
        // HS256 over fixed claims is deterministic: an HMAC of the id under JWT_SECRET, without
        // handing the secret itself to this package.
        String keyed = tokens.signHs256(new JWTClaimsSet.Builder().jwtID(stateId).claim("type", VERIFIER_TYPE).build());
        return base64Url(sha256(keyed));
    }

    static String challengeOf(String verifier) {
        return base64Url(sha256(verifier));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
