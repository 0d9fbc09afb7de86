package dev.anvil.server.auth;

import java.nio.charset.StandardCharsets;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.anvil.server.http.ApiException;

/**
 * bcrypt at cost 10, the hash InsForge stores, so existing users keep signing in. bcrypt reads only
 * the first 72 bytes of a password; rather than silently ignoring the rest, longer passwords are
 * refused with a 400 that says why.
 */
public final class Passwords {

    public static final int COST = 10;
    public static final int MAX_BYTES = 72;

    private static final BCrypt.Hasher HASHER = BCrypt.withDefaults();
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer();

    /**
     * Checked against when the user does not exist, so a wrong e-mail costs the same time as a wrong
     * password. A fixed cost-10 hash of a random string nobody kept: computing one at start would add
     * a bcrypt round to every server start, and this one never decides anything.
     */
    private static final String DECOY_HASH = "$2a$10$K6vBF1hEn53Uz2oLrwUfqOK6hD2Ueu2mqoqncBEGEBkUdbCo4v85e";

    /** 400 {@code INVALID_INPUT} when bcrypt could not use the whole password. */
    public static void checkLength(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiException.invalidInput("Password must be at most " + MAX_BYTES
                    + " bytes long (bcrypt ignores anything longer)");
        }
    }

    public static String hash(String password) {
        checkLength(password);
        return HASHER.hashToString(COST, password.toCharArray());
    }

    /** True when {@code password} matches {@code storedHash}; a null hash (no password) never matches. */
    public boolean matches(String password, String storedHash) {
        checkLength(password);
        boolean usable = storedHash != null && storedHash.startsWith("$2");
        boolean verified = VERIFYER.verify(password.toCharArray(),
                (usable ? storedHash : DECOY_HASH).getBytes(StandardCharsets.UTF_8)).verified;
        return usable && verified;
    }
}
