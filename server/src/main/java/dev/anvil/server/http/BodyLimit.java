package dev.anvil.server.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * The largest request body (outside file uploads, which storage limits itself) a server accepts.
 * A filter puts it in each request's context so {@link RequestBody} can read it without every
 * service carrying the setting around.
 */
public record BodyLimit(long maxBytes) {

    private static final BodyLimit DEFAULT = new BodyLimit(100L * 1024 * 1024);

    public static BodyLimit of(ServerRequest req) {
        return req.context().get(BodyLimit.class, BodyLimit.class).orElse(DEFAULT);
    }

    public Filter filter() {
        return new Filter() {
            @Override
            public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
                req.context().register(BodyLimit.class, BodyLimit.this);
                chain.proceed();
            }
        };
    }
}
