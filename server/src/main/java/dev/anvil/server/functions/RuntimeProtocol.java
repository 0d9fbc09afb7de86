package dev.anvil.server.functions;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * The wire between this server and the runtime host ({@code src/main/deno/protocol.ts}; the two
 * must agree). Code and decrypted secrets are pushed to the host, which answers the ports (and
 * route ids) a function version is served on; an invocation sent to a worker names the route id
 * it expects, one sent to a (remote) host names the versions, and whoever lacks them — or serves
 * something else on that port — answers 409 with {@link #MISS}, so the caller pushes and retries.
 * That is how a restarted host, or one of several runtime pods, fills itself without reading the
 * database.
 */
final class RuntimeProtocol {

    static final HeaderName TOKEN = HeaderNames.create("x-anvil-runtime-token");
    static final HeaderName FUNCTION_VERSION = HeaderNames.create("x-anvil-function-version");
    static final HeaderName SECRETS_VERSION = HeaderNames.create("x-anvil-secrets-version");
    static final HeaderName ROUTE = HeaderNames.create("x-anvil-route");
    static final HeaderName MISS = HeaderNames.create("x-anvil-runtime-miss");

    static final String HEALTH_PATH = "/health";
    static final String SECRETS_PATH = "/_anvil/secrets";

    static String functionPath(String slug) {
        return "/_anvil/functions/" + slug;
    }

    private RuntimeProtocol() {
    }
}
