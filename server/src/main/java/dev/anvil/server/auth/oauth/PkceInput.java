package dev.anvil.server.auth.oauth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.anvil.server.http.ApiException;

/**
 * The PKCE flow's request fields, checked as InsForge's shared schemas check them
 * ({@code oAuthInitRequestSchema}, {@code oAuthCodeExchangeRequestSchema}): every problem is
 * collected and reported at once, zod-style ({@code "code_challenge: Required, redirect_uri: Invalid url"}).
 */
final class PkceInput {

    /** RFC 7636 unreserved characters, no padding. */
    private static final Pattern PKCE = Pattern.compile("^[A-Za-z0-9._~-]+$");

    private final List<String> issues = new ArrayList<>();

    /** A required absolute URL (zod's {@code .url()}: any scheme, as long as it parses with a host or path). */
    String url(String field, String value, String requiredMessage) {
        if (value == null) {
            issues.add(field + ": " + requiredMessage);
        } else if (!isAbsoluteUrl(value)) {
            issues.add(field + ": Invalid url");
        }
        return value;
    }

    /** A code challenge or verifier: 43 to 128 base64url characters. */
    String pkce(String field, String value, String label) {
        if (value == null) {
            issues.add(field + ": Required");
        } else if (value.length() < 43) {
            issues.add(field + ": " + label + " must be at least 43 characters");
        } else if (value.length() > 128) {
            issues.add(field + ": " + label + " must be at most 128 characters");
        } else if (!PKCE.matcher(value).matches()) {
            issues.add(field + ": " + label + " must be base64url encoded");
        }
        return value;
    }

    String nonEmpty(String field, String value, String emptyMessage) {
        if (value == null) {
            issues.add(field + ": Required");
        } else if (value.isEmpty()) {
            issues.add(field + ": " + emptyMessage);
        }
        return value;
    }

    /** 400 {@code INVALID_INPUT} listing every problem found, if any. */
    void check() {
        if (!issues.isEmpty()) {
            throw ApiException.invalidInput(String.join(", ", issues));
        }
    }

    static boolean isAbsoluteUrl(String value) {
        try {
            URI uri = new URI(value);
            return uri.getScheme() != null && (uri.getRawAuthority() != null || uri.getRawPath() != null && !uri.getRawPath().isEmpty());
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
