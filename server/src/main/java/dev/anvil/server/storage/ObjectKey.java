package dev.anvil.server.storage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

import dev.anvil.server.http.ApiException;

/**
 * An object key that is safe to use as a path under a bucket, on disk and in S3. Keys may contain
 * {@code /} (folders) but never {@code ..}, a leading {@code /}, control characters (NUL included),
 * empty or {@code .} segments, or more than {@value #MAX_BYTES} bytes ({@value #MAX_SEGMENT_BYTES} per
 * segment, a file-name limit of common filesystems). The same rules hold for every provider, so a key
 * accepted on S3 can move to local disk and back.
 *
 * <p>Keys arrive percent-encoded in the URL (the SDK sends {@code encodeURIComponent(key)}), so they
 * are decoded exactly once; an attacker's double encoding ({@code %252e%252e}) is also refused, since
 * some proxy in front of the server might decode it a second time.
 */
public record ObjectKey(String value) {

    static final int MAX_BYTES = 1024;
    static final int MAX_SEGMENT_BYTES = 255;
    private static final int DECODE_ROUNDS = 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    public ObjectKey {
        validate(value);
    }

    /** A key from the raw (still percent-encoded) URL path. */
    public static ObjectKey fromRawPath(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid("Object key is required");
        }
        return new ObjectKey(percentDecode(raw).orElseThrow(() -> invalid("Invalid key. It is not correctly percent-encoded")));
    }

    /**
     * A fresh key for an uploaded file, as InsForge (and the SDK's {@code uploadAuto}) makes them:
     * {@code <base, sanitised, at most 32 chars>-<epoch ms>-<6 base-36 chars><.ext>}.
     */
    public static ObjectKey generated(String fileName, long epochMillis) {
        String name = fileName == null ? "" : fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot + 1).replaceAll("[^a-zA-Z0-9]", "") : "";
        String sanitised = base.replaceAll("[^a-zA-Z0-9_-]", "-");
        sanitised = sanitised.substring(0, Math.min(32, sanitised.length()));
        StringBuilder random = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            random.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return new ObjectKey((sanitised.isEmpty() ? "file" : sanitised) + "-" + epochMillis + "-" + random
                + (extension.isEmpty() ? "" : "." + extension.substring(0, Math.min(16, extension.length()))));
    }

    /** The last segment: what a file saved from this key would be called. */
    public String fileName() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The key as one URL path segment, as the SDK encodes it ({@code encodeURIComponent}). */
    public String urlEncoded() {
        return encodeUriComponent(value);
    }

    private static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw invalid("Object key is required");
        }
        String candidate = key;
        for (int round = 0; round < DECODE_ROUNDS; round++) {
            checkTraversal(candidate);
            Optional<String> decoded = percentDecode(candidate);
            if (decoded.isEmpty() || decoded.get().equals(candidate)) {
                break;
            }
            candidate = decoded.get();
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw invalid("Invalid key. It is " + bytes + " bytes long; the limit is " + MAX_BYTES);
        }
        if (key.endsWith("/")) {
            throw invalid("Invalid key. It must not end with \"/\"");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                throw invalid("Invalid key. Empty and \".\" path segments are not allowed");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw invalid("Invalid key. Each path segment may be at most " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
    }

    private static void checkTraversal(String key) {
        if (key.contains("..") || key.startsWith("/") || key.startsWith("\\")) {
            throw invalid("Invalid key. Cannot use \"..\" or start with \"/\"");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw invalid("Invalid key. Control characters (including NUL) are not allowed");
            }
        }
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "STORAGE_INVALID_PARAMETER", message,
                "Object keys may contain letters, digits, \"/\" folders and most punctuation, but not \"..\", a leading \"/\" or control characters.");
    }

    /**
     * Strict percent-decoding of a URL path component as UTF-8 ({@code +} stays a plus); empty when
     * a {@code %} is not followed by two hex digits or the bytes are not valid UTF-8.
     */
    static Optional<String> percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return Optional.of(raw);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
                    encoded = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** JavaScript's {@code encodeURIComponent}: everything but {@code A-Z a-z 0-9 - _ . ! ~ * ' ( )} is escaped. */
    static String encodeUriComponent(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_.!~*'()".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return value;
    }
}
