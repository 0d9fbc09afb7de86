package dev.anvil.server.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.RequestBody;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The dashboard admin's sessions (contract §2.6): sign-in with the configured root admin, then
 * refresh and sign-out through the admin cookie ({@code Path=/api/auth/admin}) exactly like user sessions.
 */
final class AdminSessionService implements HttpService {

    private final Credentials credentials;
    private final RootAdmin admin;
    private final SessionIssuer sessions;
    private final AuthRateLimits limits;

    AdminSessionService(Credentials credentials, RootAdmin admin, SessionIssuer sessions, AuthRateLimits limits) {
        this.credentials = credentials;
        this.admin = admin;
        this.sessions = sessions;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/admin/sessions", this::signIn)
                .post("/admin/refresh", (req, res) -> Json.send(res, sessions.refresh(req, res, SessionType.ADMIN)))
                .post("/admin/logout", (req, res) -> Json.send(res, sessions.signOut(req, res, SessionType.ADMIN)))
                .get("/admin/sessions/current", this::current);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        JsonFields body = RequestBody.object(req);
        // InsForge's older dashboards sent the admin name as "email".
        String username = body.string("username").or(() -> body.string("email"))
                .orElseThrow(() -> ApiException.invalidInput("username: Required")).trim();
        if (username.isEmpty()) {
            throw ApiException.invalidInput("username: Username is required");
        }
        if (username.length() > 100) {
            throw ApiException.invalidInput("username: Username must be at most 100 characters");
        }
        String password = body.requiredString("password");
        limits.signInByAddress.check(req, res);
        if (!admin.enabled()) {
            throw new ApiException(401, "AUTH_UNAUTHORIZED", "Admin sign-in is disabled on this server",
                    "Set ROOT_ADMIN_USERNAME and ROOT_ADMIN_PASSWORD to enable it.");
        }
        if (!admin.matches(username, password)) {
            limits.signInByAddress.recordFailure(req);
            throw new ApiException(401, "AUTH_UNAUTHORIZED", "Invalid admin credentials");
        }
        Json.send(res, sessions.signInAdmin(req, res));
    }

    private void current(ServerRequest req, ServerResponse res) {
        Principal.Token token = credentials.token(req);
        if (!Principal.PROJECT_ADMIN.equals(token.role())) {
            throw new ApiException(403, "AUTH_UNAUTHORIZED", "Admin access required");
        }
        ObjectNode reply = Json.object();
        reply.putObject("admin").put("sub", token.subject());
        Json.send(res, reply);
    }
}
