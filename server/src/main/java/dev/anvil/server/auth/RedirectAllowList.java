package dev.anvil.server.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The allow-list of redirect URLs ({@code allowedRedirectUrls}): exact URLs or Supabase-style globs
 * — {@code *} within one host label or path segment, {@code **} across them, {@code ?} one
 * character, {@code [a-z]} ranges. Links in e-mails carry secrets (a reset token) to the redirect
 * URL, so e-mail flows accept only listed URLs; whether an empty list means "anything" is the
 * caller's decision (OAuth keeps InsForge's "empty allows all").
 */
public final class RedirectAllowList {

    /** InsForge's check for what may be listed (shared-schemas {@code allowedRedirectUrlsRegex}). */
    private static final Pattern VALID_ENTRY = Pattern.compile(
            "^(?:(?:https?://)(?:(?=[^\\s/:?#]*[a-zA-Z0-9])(?:(?:\\*\\.)?[^\\s/:?#*\\[\\]]*(?:\\*[^\\s/:?#*\\[\\]]*)*"
                    + "|(?:\\*\\.)?[^\\s/:?#]+)|\\[[0-9A-Fa-f:.]+\\])(?::\\d+)?(?:/[^\\s]*)?"
                    + "|(?!(?:https?|javascript|data|file|vbscript):)[a-zA-Z][a-zA-Z0-9+.-]*:(?://[^\\s/]+(?:/[^\\s]*)?|/[^\\s]*))$",
            Pattern.CASE_INSENSITIVE);

    private RedirectAllowList() {
    }

    public static boolean isValidEntry(String entry) {
        return VALID_ENTRY.matcher(entry).matches();
    }

    /** True when {@code url} matches one of {@code entries}; an empty list matches nothing. */
    public static boolean allows(List<String> entries, String url) {
        String candidate = normalise(url);
        for (String entry : entries) {
            if (normalise(entry).equals(candidate) || glob(entry).matcher(candidate).matches()
                    || glob(entry).matcher(url).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Trailing slash of a non-root path removed, scheme and host lower-cased: how entries are compared. */
    static String normalise(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return url;
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            return uri.getScheme().toLowerCase() + "://" + uri.getRawAuthority().toLowerCase() + path
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                    + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
        } catch (URISyntaxException e) {
            return url;
        }
    }

    /** Glob to regex: separators are '/' and '.', which a single '*' does not cross. */
    static Pattern glob(String entry) {
        StringBuilder regex = new StringBuilder("^");
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c == '*') {
                if (i + 1 < entry.length() && entry.charAt(i + 1) == '*') {
                    regex.append(".*");
                    i++;
                } else {
                    regex.append("[^/.]*");
                }
            } else if (c == '?') {
                regex.append("[^/.]");
            } else if (c == '[') {
                int close = entry.indexOf(']', i + 1);
                if (close > i + 1) {
                    String body = entry.substring(i + 1, close).replace("\\", "\\\\");
                    regex.append('[').append(body.startsWith("!") ? "^" + body.substring(1) : body).append(']');
                    i = close;
                } else {
                    regex.append("\\[");
                }
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.append('$').toString(), Pattern.CASE_INSENSITIVE);
    }
}
