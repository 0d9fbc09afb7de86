package dev.anvil.server.auth.oauth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a provider's authorization URL: our parameters first, then the app's extra parameters
 * (InsForge's {@code additionalParams}) for names not already set — so an app can ask for
 * {@code prompt=consent} or {@code login_hint}, but can never replace {@code client_id},
 * {@code redirect_uri} or {@code state}.
 */
final class AuthorizationUrl {

    private final String endpoint;
    private final Map<String, String> params = new LinkedHashMap<>();

    private AuthorizationUrl(String endpoint) {
        this.endpoint = endpoint;
    }

    static AuthorizationUrl of(String endpoint) {
        return new AuthorizationUrl(endpoint);
    }

    AuthorizationUrl set(String name, String value) {
        params.put(name, value);
        return this;
    }

    AuthorizationUrl extra(Map<String, String> additional) {
        additional.forEach(params::putIfAbsent);
        return this;
    }

    String build() {
        StringBuilder url = new StringBuilder(endpoint);
        char separator = endpoint.contains("?") ? '&' : '?';
        for (Map.Entry<String, String> param : params.entrySet()) {
            url.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
            separator = '&';
        }
        return url.toString();
    }

    /** {@code application/x-www-form-urlencoded} writes spaces as {@code +}; providers and browsers want {@code %20}. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
