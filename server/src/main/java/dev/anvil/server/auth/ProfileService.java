package dev.anvil.server.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.RequestBody;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Public profiles ({@code GET /profiles/:userId}) and the signed-in user's own ({@code PATCH /profiles/current}). */
final class ProfileService implements HttpService {

    private final Credentials credentials;
    private final UserStore users;

    ProfileService(Credentials credentials, UserStore users) {
        this.credentials = credentials;
        this.users = users;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.patch("/profiles/current", this::update)
                .get("/profiles/{userId}", this::read);
    }

    private void read(ServerRequest req, ServerResponse res) {
        String userId = AuthInput.userId(req.path().pathParameters().get("userId"));
        String profile = users.profile(userId).orElseThrow(AuthErrors::userNotFound);
        Json.send(res, reply(userId, profile));
    }

    /** A shallow merge: keys sent replace keys stored, others stay. */
    private void update(ServerRequest req, ServerResponse res) {
        Principal.Token token = credentials.token(req);
        if (!Principal.AUTHENTICATED.equals(token.role()) || !AuthInput.isUuid(token.subject())) {
            throw new ApiException(401, "AUTH_INVALID_CREDENTIALS", "User not authenticated");
        }
        ObjectNode patch = RequestBody.object(req).object("profile")
                .orElseThrow(() -> ApiException.invalidInput("profile: Required"));
        String profile = users.mergeProfile(token.subject(), Json.string(patch)).orElseThrow(AuthErrors::userNotFound);
        Json.send(res, reply(token.subject(), profile));
    }

    private static ObjectNode reply(String userId, String profileJson) {
        ObjectNode reply = Json.object();
        reply.put("id", userId);
        reply.set("profile", Json.parse(profileJson));
        return reply;
    }
}
