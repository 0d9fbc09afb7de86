package dev.anvil.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.anvil.server.http.ApiException;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * One-time codes and link tokens sent by e-mail ({@code auth.email_otps}, one live entry per address
 * and purpose). Six-digit codes are stored as bcrypt hashes, live 15 minutes and allow 3 wrong
 * guesses; link tokens (64 hex, 256 bits) are stored as SHA-256, live 24 hours, and are looked up
 * by hash. Nothing sent by mail is ever stored in clear.
 */
public final class EmailCodes {

    static final Duration CODE_TTL = Duration.ofMinutes(15);
    static final Duration LINK_TTL = Duration.ofHours(24);
    /** A reset token obtained by typing the mailed code: long enough to choose a password. */
    static final Duration RESET_TOKEN_TTL = Duration.ofHours(1);
    static final int MAX_ATTEMPTS = 3;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String NUMERIC_CODE = "NUMERIC_CODE";
    private static final String HASH_TOKEN = "HASH_TOKEN";

    /** What a code or link is for (the {@code purpose} column). */
    public enum Purpose { VERIFY_EMAIL, RESET_PASSWORD, SIGN_IN }

    /** A link token's entry: the address it was sent to and where to send the browser. */
    public record Link(String email, String redirectTo, boolean usable) {
    }

    /** A password-reset token handed out for a correct reset code. */
    public record ResetToken(String token, Instant expiresAt) {
    }

    private final DbClient db;
    private final Clock clock;

    public EmailCodes(DbClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A fresh 6-digit code for the address; any earlier code or link for the same purpose stops working. */
    public String issueCode(String email, Purpose purpose) {
        String code = String.format("%06d", RANDOM.nextInt(1_000_000));
        String hash = BCrypt.withDefaults().hashToString(Passwords.COST, code.toCharArray());
        store(db.execute(), email, purpose, hash, NUMERIC_CODE, clock.instant().plus(CODE_TTL), null);
        return code;
    }

    /** A fresh link token for the address, remembering where the link should land. */
    public String issueLink(String email, Purpose purpose, String redirectTo) {
        String token = randomToken();
        store(db.execute(), email, purpose, RefreshTokens.hash(token), HASH_TOKEN, clock.instant().plus(LINK_TTL), redirectTo);
        return token;
    }

    /** Uses up a correct code; 400 {@code INVALID_INPUT} for a wrong, expired, used or exhausted one. */
    public void consumeCode(String email, Purpose purpose, String code) {
        // The wrong guess is committed before the refusal is thrown, so attempts add up.
        Transactions.run(db, tx -> checkCode(tx, email, purpose, code)).ifPresent(e -> {
            throw e;
        });
    }

    /** Trades a correct password-reset code for a reset token, in one transaction. */
    public ResetToken exchangeResetCode(String email, String code) {
        String token = randomToken();
        Instant expiresAt = clock.instant().plus(RESET_TOKEN_TTL);
        Transactions.run(db, tx -> {
            Optional<ApiException> failure = checkCode(tx, email, Purpose.RESET_PASSWORD, code);
            if (failure.isEmpty()) {
                store(tx, email, Purpose.RESET_PASSWORD, RefreshTokens.hash(token), HASH_TOKEN, expiresAt, null);
            }
            return failure;
        }).ifPresent(e -> {
            throw e;
        });
        return new ResetToken(token, expiresAt);
    }

    /** The entry of a link token, without using it up (the reset link only forwards the token). */
    public Optional<Link> findLink(Purpose purpose, String token) {
        return db.execute().get("SELECT email, redirect_to, (expires_at > now() AND consumed_at IS NULL) AS usable "
                        + "FROM auth.email_otps WHERE purpose = ? AND otp_hash = ? AND otp_type = ?",
                purpose.name(), RefreshTokens.hash(token), HASH_TOKEN).map(EmailCodes::link);
    }

    /** Uses up a live link token; empty when it is unknown, expired or used. */
    public Optional<Link> consumeLink(Purpose purpose, String token) {
        return db.execute().get("UPDATE auth.email_otps SET consumed_at = now() WHERE purpose = ? AND otp_hash = ? "
                        + "AND otp_type = ? AND consumed_at IS NULL AND expires_at > now() RETURNING email, redirect_to, true AS usable",
                purpose.name(), RefreshTokens.hash(token), HASH_TOKEN).map(EmailCodes::link);
    }

    /** Checks a code inside {@code tx}, recording the outcome (a wrong guess, or the code used up). */
    private static Optional<ApiException> checkCode(DbExecute tx, String email, Purpose purpose, String code) {
        Optional<DbRow> found = tx.get("SELECT id::text AS id, otp_hash, attempts_count, "
                + "(expires_at > now() AND consumed_at IS NULL AND otp_type = ?) AS live "
                + "FROM auth.email_otps WHERE email = ? AND purpose = ? FOR UPDATE", NUMERIC_CODE, email, purpose.name());
        if (found.isEmpty() || !found.get().column("live").get(Boolean.class)) {
            return Optional.of(invalidCode());
        }
        DbRow row = found.get();
        String id = row.column("id").get(String.class);
        if (row.column("attempts_count").get(Integer.class) >= MAX_ATTEMPTS) {
            return Optional.of(ApiException.invalidInput("Too many incorrect attempts for this code; request a new one"));
        }
        boolean correct = BCrypt.verifyer().verify(code.toCharArray(),
                row.column("otp_hash").get(String.class).getBytes(StandardCharsets.UTF_8)).verified;
        if (!correct) {
            tx.dml("UPDATE auth.email_otps SET attempts_count = attempts_count + 1 WHERE id = ?::uuid", id);
            return Optional.of(invalidCode());
        }
        tx.dml("UPDATE auth.email_otps SET consumed_at = now() WHERE id = ?::uuid", id);
        return Optional.empty();
    }

    private static void store(DbExecute exec, String email, Purpose purpose, String hash, String type, Instant expiresAt,
                              String redirectTo) {
        exec.dml("INSERT INTO auth.email_otps (email, purpose, otp_hash, otp_type, expires_at, redirect_to) "
                        + "VALUES (?, ?, ?, ?, ?, CAST(? AS text)) ON CONFLICT (email, purpose) DO UPDATE SET "
                        + "otp_hash = EXCLUDED.otp_hash, otp_type = EXCLUDED.otp_type, expires_at = EXCLUDED.expires_at, "
                        + "redirect_to = EXCLUDED.redirect_to, consumed_at = NULL, attempts_count = 0",
                email, purpose.name(), hash, type, Timestamp.from(expiresAt), redirectTo);
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static ApiException invalidCode() {
        return ApiException.invalidInput("Invalid or expired verification code");
    }

    private static Link link(DbRow row) {
        return new Link(row.column("email").get(String.class), row.column("redirect_to").get(String.class),
                row.column("usable").get(Boolean.class));
    }
}
