package dev.anvil.server.auth.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import io.helidon.dbclient.DbClient;

/**
 * The one-time {@code insforge_code}s of the OAuth PKCE flow ({@code auth.oauth_exchange_codes}):
 * 256 random bits, stored as their SHA-256, live five minutes, and taken with a single
 * {@code DELETE … RETURNING} — so a code works once even when two replicas receive it at the same
 * moment, and a wrong verifier uses it up too (no guessing verifiers against one code).
 */
final class ExchangeCodes {

    static final Duration TTL = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DbClient db;
    private final Clock clock;

    /** A taken code: whose it is, the app's PKCE challenge, and whether it was still fresh. */
    record Taken(String userId, String provider, String codeChallenge, boolean live) {
    }

    ExchangeCodes(DbClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A new code for a signed-in user; expired codes of everyone are cleared on the way. */
    String issue(String userId, String provider, String codeChallenge) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        db.execute().dml("DELETE FROM auth.oauth_exchange_codes WHERE expires_at < now()");
        db.execute().dml("INSERT INTO auth.oauth_exchange_codes (code_hash, user_id, provider, code_challenge, expires_at) "
                + "VALUES (?, ?::uuid, ?, ?, ?)", hash(code), userId, provider, codeChallenge,
                Timestamp.from(clock.instant().plus(TTL)));
        return code;
    }

    /** Removes the code and returns what it held; empty when it is unknown or already used. */
    Optional<Taken> take(String code) {
        return db.execute().get("DELETE FROM auth.oauth_exchange_codes WHERE code_hash = ? RETURNING user_id::text AS user_id, "
                        + "provider, code_challenge, expires_at", hash(code))
                .map(row -> new Taken(row.column("user_id").get(String.class), row.column("provider").get(String.class),
                        row.column("code_challenge").get(String.class),
                        row.column("expires_at").get(Timestamp.class).toInstant().isAfter(clock.instant())));
    }

    private static String hash(String code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
