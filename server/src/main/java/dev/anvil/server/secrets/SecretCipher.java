package dev.anvil.server.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM in InsForge's stored format {@code hex(iv 16 bytes):hex(auth tag):hex(ciphertext)},
 * keyed with SHA-256 of the key material ({@code ENCRYPTION_KEY}, falling back to {@code JWT_SECRET}),
 * so values written by an InsForge server decrypt here and the reverse.
 */
public final class SecretCipher {

    private static final int IV_BYTES = 16;
    private static final int TAG_BITS = 128;
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern VERSION_PREFIX = Pattern.compile("v(\\d+):");

    private final SecretKeySpec key;

    private SecretCipher(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    public static SecretCipher fromKeyMaterial(String material) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return new SecretCipher(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String encrypt(String plaintext) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            int tagStart = sealed.length - TAG_BITS / 8;
            return HEX.formatHex(iv) + ":" + HEX.formatHex(sealed, tagStart, sealed.length) + ":"
                    + HEX.formatHex(sealed, 0, tagStart);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Opens a stored value. Newer InsForge servers may prefix a key version ({@code v1:…}); version 1
     * is the one key from ENCRYPTION_KEY (or JWT_SECRET), the only one Anvil has.
     *
     * @throws WrongKeyException when the value was not encrypted with this key (or was tampered with)
     */
    public String decrypt(String stored) {
        Matcher versioned = VERSION_PREFIX.matcher(stored);
        if (versioned.lookingAt()) {
            if (!versioned.group(1).equals("1")) {
                throw new WrongKeyException("Encrypted value uses key version " + versioned.group(1)
                        + " (ENCRYPTION_KEY_V" + versioned.group(1) + "); only the ENCRYPTION_KEY (version 1) is supported");
            }
            stored = stored.substring(versioned.end());
        }
        String[] parts = stored.split(":", -1);
        if (parts.length != 3) {
            throw new WrongKeyException("Encrypted value is not in the iv:tag:ciphertext format");
        }
        try {
            byte[] iv = HEX.parseHex(parts[0]);
            byte[] tag = HEX.parseHex(parts[1]);
            byte[] ciphertext = HEX.parseHex(parts[2]);
            byte[] sealed = Arrays.copyOf(ciphertext, ciphertext.length + tag.length);
            System.arraycopy(tag, 0, sealed, ciphertext.length, tag.length);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(tag.length * 8, iv));
            return new String(cipher.doFinal(sealed), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new WrongKeyException("Encrypted value cannot be decrypted with the configured key");
        }
    }

    /** A stored value that this key cannot open. */
    public static final class WrongKeyException extends RuntimeException {
        WrongKeyException(String message) {
            super(message);
        }
    }
}
