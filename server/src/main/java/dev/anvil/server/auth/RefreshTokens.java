package dev.anvil.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jwt.JWTClaimsSet;

/**
 * The refresh token and CSRF token formats InsForge clients hold (contract §2.1). A refresh token
 * is an HS256 JWT with {@code sub}, {@code type: "refresh"}, {@code iss: "insforge"},
 * {@code csrfNonce}, {@code sessionType}, {@code iat}, {@code exp} — plus a {@code jti} naming its
 * row in {@code auth.refresh_tokens}. The CSRF token is the lowercase hex HMAC-SHA256, keyed with
 * {@code JWT_SECRET}, of {@code insforge:csrf:v1:<sessionType>:<sub>:<csrfNonce>}; the nonce stays
 * with the session, so the CSRF token a browser stored stays valid across rotations.
 */
final class RefreshTokens {

    static final String TYPE = "refresh";
    static final String ISSUER = "insforge";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccessTokens tokens;

    /** What a verified refresh token says. */
    record Claims(String subject, SessionType sessionType, String csrfNonce) {
    }

    RefreshTokens(AccessTokens tokens) {
        this.tokens = tokens; // its keys may still be loading while the server starts: read them on use
    }

    static String newNonce() {
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    }

    String mint(String tokenId, String subject, SessionType type, String csrfNonce, Instant issuedAt, Instant expiresAt) {
        return tokens.signHs256(new JWTClaimsSet.Builder()
                .subject(subject)
                .claim("type", TYPE)
                .issuer(ISSUER)
                .claim("csrfNonce", csrfNonce)
                .claim("sessionType", type.claim())
                .jwtID(tokenId)
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .build());
    }

    /** Checks signature, type, issuer and times; throws {@link InvalidTokenException} otherwise. */
    Claims parse(String token) {
        JWTClaimsSet claims = tokens.verifyHs256(token, TYPE);
        SessionType type = SessionType.fromClaim(claims.getClaim("sessionType"));
        Object nonce = claims.getClaim("csrfNonce");
        if (!ISSUER.equals(claims.getIssuer()) || claims.getSubject() == null || claims.getSubject().isBlank()
                || type == null || !(nonce instanceof String text) || text.isEmpty()) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID);
        }
        return new Claims(claims.getSubject(), type, text);
    }

    String csrfToken(SessionType type, String subject, String csrfNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokens.keys().hmacSecret(), "HmacSHA256"));
            byte[] digest = mac.doFinal(("insforge:csrf:v1:" + type.claim() + ":" + subject + ":" + csrfNonce)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean csrfMatches(String presented, Claims claims) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] expected = csrfToken(claims.sessionType(), claims.subject(), claims.csrfNonce()).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** What is stored instead of the token: its SHA-256, hex. */
    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
