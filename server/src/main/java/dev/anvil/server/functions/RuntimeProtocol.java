package dev.anvil.server.functions;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * The wire between this server and the runtime host ({@code src/main/deno/protocol.ts}; the two
 * must agree). Code and decrypted secrets are pushed to the host, which answers the port a
 * function version is served on; an invocation names the function and versions it expects, and
 * whoever lacks them (or serves something else on that port) answers 409 with {@link #MISS}, so
 * the caller pushes and retries — which is how a restarted host, or one of several runtime pods,
 * fills itself without reading the database.
 */
final class RuntimeProtocol {

    static final HeaderName TOKEN = HeaderNames.create("x-anvil-runtime-token");
    static final HeaderName FUNCTION_SLUG = HeaderNames.create("x-anvil-function-slug");
    static final HeaderName FUNCTION_VERSION = HeaderNames.create("x-anvil-function-version");
    static final HeaderName SECRETS_VERSION = HeaderNames.create("x-anvil-secrets-version");
    static final HeaderName REQUEST_URL = HeaderNames.create("x-anvil-request-url");
    static final HeaderName TIMEOUT_MS = HeaderNames.create("x-anvil-timeout-ms");
    static final HeaderName ACCEPT_ENCODING = HeaderNames.create("x-anvil-accept-encoding");
    static final HeaderName MISS = HeaderNames.create("x-anvil-runtime-miss");

    static final String HEALTH_PATH = "/health";
    static final String SECRETS_PATH = "/_anvil/secrets";

    static String functionPath(String slug) {
        return "/_anvil/functions/" + slug;
    }

    private RuntimeProtocol() {
    }
}
