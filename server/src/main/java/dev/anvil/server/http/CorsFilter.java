package dev.anvil.server.http;

import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * InsForge's CORS policy (contract §1): every origin is reflected with credentials allowed, and the
 * headers postgrest-js reads ({@code Content-Range}, {@code Preference-Applied}) are exposed.
 * Preflights are answered here with 204 and never reach a service. Written by hand rather than
 * with helidon-cors because that module allows every origin without credentials by default, and the
 * contract needs exactly this shape.
 */
public final class CorsFilter implements Filter {

    public static final String EXPOSED = "Content-Range, Preference-Applied, Location, Content-Location, Range-Unit, "
            + "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";
    public static final String ALLOWED_METHODS = "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS";
    public static final String DEFAULT_ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-CSRF-Token, Prefer, "
            + "Accept-Profile, Content-Profile, Range, x-api-key, X-Client-Info, apikey";

    private static final HeaderName REQUEST_HEADERS = HeaderNames.create("Access-Control-Request-Headers");
    private static final HeaderName REQUEST_METHOD = HeaderNames.create("Access-Control-Request-Method");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isPresent()) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin.get());
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            res.header(HeaderNames.VARY, "Origin");
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
        }
        boolean preflight = req.prologue().method() == Method.OPTIONS
                && (origin.isPresent() || req.headers().contains(REQUEST_METHOD));
        if (!preflight) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
        // Reflecting the requested headers is what Express's cors() does; InsForge clients rely on it
        // for headers we cannot list in advance (a custom header an app adds to every request).
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                req.headers().first(REQUEST_HEADERS).filter(h -> !h.isBlank()).orElse(DEFAULT_ALLOWED_HEADERS));
        res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
        res.header(HeaderNames.CONTENT_LENGTH, "0");
        res.status(Status.NO_CONTENT_204);
        res.send();
    }
}
