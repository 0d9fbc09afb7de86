package dev.anvil.server.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;

/**
 * The auth request fields InsForge validates with its shared zod schemas, with the same messages
 * ({@code "email: Invalid email format"}, {@code "otp: OTP code must be a 6-digit numeric code"}).
 */
public final class AuthInput {

    /** zod's e-mail pattern (what InsForge's {@code emailSchema} accepts). */
    private static final Pattern EMAIL = Pattern.compile(
            "^(?!\\.)(?!.*\\.\\.)([A-Z0-9_'+\\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\\-]*\\.)+[A-Z]{2,}$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SIX_DIGITS = Pattern.compile("^\\d{6}$");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern HEX_64 = Pattern.compile("^[0-9a-f]{64}$");

    private AuthInput() {
    }

    /** A required e-mail address, checked then lower-cased and trimmed (zod's order). */
    static String email(JsonFields body, String field) {
        String value = body.requiredString(field);
        return checkedEmail(field, value);
    }

    /** {@code value} as a valid, lower-cased e-mail address, or 400 {@code "<field>: Invalid email format"}. */
    public static String checkedEmail(String field, String value) {
        if (!EMAIL.matcher(value).matches()) {
            throw ApiException.invalidInput(field + ": Invalid email format");
        }
        return value.toLowerCase(Locale.ROOT).trim();
    }

    /** A required string that may be empty (InsForge's {@code passwordSchema} is a bare string). */
    static String password(JsonFields body, String field) {
        return body.requiredString(field);
    }

    static String sixDigitCode(JsonFields body, String field, String label) {
        String value = body.requiredString(field);
        if (!SIX_DIGITS.matcher(value).matches()) {
            throw ApiException.invalidInput(field + ": " + label + " must be a 6-digit numeric code");
        }
        return value;
    }

    /** An optional display name: trimmed, 1 to 100 characters. */
    static Optional<String> name(JsonFields body) {
        return body.string("name").map(raw -> {
            String name = raw.trim();
            if (name.isEmpty()) {
                throw ApiException.invalidInput("name: Name is required");
            }
            if (name.length() > 100) {
                throw ApiException.invalidInput("name: Name must be less than 100 characters");
            }
            return name;
        });
    }

    /** An optional absolute URL (zod's {@code .url()}). */
    static Optional<String> url(JsonFields body, String field) {
        return body.string(field).map(value -> {
            if (!isAbsoluteUrl(value)) {
                throw ApiException.invalidInput(field + ": Invalid url");
            }
            return value;
        });
    }

    static boolean isAbsoluteUrl(String value) {
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getScheme() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    static boolean isUuid(String value) {
        return value != null && UUID_TEXT.matcher(value).matches();
    }

    /** A user id path parameter; 400 "Invalid user ID format" otherwise. */
    static String userId(String value) {
        if (!isUuid(value)) {
            throw ApiException.invalidInput("Invalid user ID format");
        }
        return UUID.fromString(value).toString();
    }

    static boolean isLinkToken(String value) {
        return value != null && HEX_64.matcher(value).matches();
    }
}
