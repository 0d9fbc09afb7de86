package dev.anvil.server.auth;

import dev.anvil.server.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The public signing key as a JWK Set, at {@code /.well-known/jwks.json} and its InsForge mirror
 * {@code /api/.well-known/jwks.json}, so other services can verify Anvil's RS256 access tokens.
 */
public final class JwksService implements HttpService {

    private final AccessTokens tokens;
    /**
     * Serialised on first request: the server's start neither waits for the JSON machinery nor for
     * the keys, which load while the services are built.
     */
    private volatile byte[] jwks;

    public JwksService(AccessTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/.well-known/jwks.json", this::send)
                .get("/api/.well-known/jwks.json", this::send);
    }

    private void send(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, Json.CONTENT_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
        res.send(jwks());
    }

    private byte[] jwks() {
        byte[] serialised = jwks;
        if (serialised == null) {
            serialised = Json.bytes(tokens.keys().publicJwks().toJSONObject()); // the same bytes whoever wins a race
            jwks = serialised;
        }
        return serialised;
    }
}
