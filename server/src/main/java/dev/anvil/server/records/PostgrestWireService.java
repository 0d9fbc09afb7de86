package dev.anvil.server.records;

import java.util.Map;
import java.util.Optional;

import dev.anvil.server.auth.AccessTokens;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.auth.InvalidTokenException;
import dev.anvil.server.http.Principal;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The built-in engine with PostgREST's own wire ({@code ANVIL_POSTGREST_PATH}): {@code /<table>},
 * {@code /rpc/<fn>}, the role taken from the {@code role} claim of a JWT signed with JWT_SECRET, the
 * anon role without one. Another Anvil (or InsForge) can use it as its {@code POSTGREST_BASE_URL},
 * and postgrest-js can talk to it directly. Every error has PostgREST's shape.
 */
public final class PostgrestWireService implements HttpService {

    private final AccessTokens tokens;
    private final RecordsEngine engine;

    public PostgrestWireService(AccessTokens tokens, RecordsEngine engine) {
        this.tokens = tokens;
        this.engine = engine;
    }

    @Override
    public void routing(io.helidon.webserver.http.HttpRules rules) {
        rules.any("/rpc/{fn}", (req, res) -> handle(req, res, true, req.path().pathParameters().get("fn")))
                .any("/{table}", (req, res) -> handle(req, res, false, req.path().pathParameters().get("table")))
                .any("/{table}/*", (req, res) -> HttpExchange.write(res, EngineResponse.error(PgrstError.invalidPath())));
    }

    private void handle(ServerRequest req, ServerResponse res, boolean rpc, String name) {
        Principal principal;
        try {
            principal = principal(req);
        } catch (PgrstError e) {
            HttpExchange.write(res, EngineResponse.error(e));
            return;
        }
        EngineResponse response;
        try {
            response = engine.handle(HttpExchange.raw(req, rpc, name, req.query().rawValue(), null),
                    RecordsService.caller(principal), new RecordsEngine.Options(false));
        } catch (dev.anvil.server.http.ApiException e) {
            response = EngineResponse.error(new PgrstError(e.status(), "PGRST102", e.getMessage(), null, null));
        }
        HttpExchange.write(res, response);
    }

    private Principal principal(ServerRequest req) {
        Optional<String> bearer = Credentials.bearer(req);
        if (bearer.isEmpty()) {
            return new Principal.Anon();
        }
        try {
            return tokens.verify(bearer.get());
        } catch (InvalidTokenException e) {
            String message = e.reason() == InvalidTokenException.Reason.EXPIRED ? "JWT expired" : "JWSError JWSInvalidSignature";
            throw new PgrstError(401, "PGRST301", message, null, null, Map.of("WWW-Authenticate", "Bearer"));
        }
    }
}
