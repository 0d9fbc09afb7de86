package dev.anvil.server.database;

import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /api/database/schemas|functions|indexes|policies|triggers} (contract §3.1), admin only;
 * the per-schema listings take {@code ?schema=} (default public).
 */
public final class DatabaseMetadataService implements HttpService {

    private final Credentials credentials;
    private final SchemaCatalog catalog;

    public DatabaseMetadataService(Credentials credentials, RoleTransaction transactions) {
        this.credentials = credentials;
        this.catalog = new SchemaCatalog(transactions);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/schemas", (req, res) -> {
            credentials.admin(req);
            send(res, "schemas", catalog.schemas());
        });
        listing(rules, "functions", catalog::functions);
        listing(rules, "indexes", catalog::indexes);
        listing(rules, "policies", catalog::policies);
        listing(rules, "triggers", catalog::triggers);
    }

    private void listing(HttpRules rules, String name, Function<String, ArrayNode> query) {
        rules.get("/" + name, (ServerRequest req, ServerResponse res) -> {
            credentials.admin(req);
            send(res, name, query.apply(SchemaParameter.of(req)));
        });
    }

    private static void send(ServerResponse res, String key, ArrayNode items) {
        ObjectNode body = Json.object();
        body.set(key, items);
        Json.send(res, body);
    }
}
