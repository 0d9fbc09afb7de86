package dev.anvil.server.database.tables;

import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.SchemaParameter;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/database/tables} (contract §3.1), admin only: list, create, read the schema of, change
 * and delete user tables, in the schema named by {@code ?schema=} (default {@code public}).
 */
public final class TablesService implements HttpService {

    private final Credentials credentials;
    private final TableStore tables;

    public TablesService(Credentials credentials, RoleTransaction transactions, Duration countTimeout) {
        this.credentials = credentials;
        this.tables = new TableStore(transactions, new TableInspector(countTimeout));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .get("/{table}/schema", this::describe)
                .patch("/{table}/schema", this::alter)
                .delete("/{table}", this::drop);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        Json.send(res, tables.list(SchemaParameter.of(req)));
    }

    private void create(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        TableDefinition definition = TableDefinition.parse(RequestBody.json(req), schema);
        ObjectNode created = tables.create(definition);
        AuditLog.record(req, "CREATE_TABLE", "DATABASE",
                Json.object().put("schema", schema).put("tableName", definition.tableName()));
        Json.send(res, 201, created);
    }

    private void describe(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        Json.send(res, tables.describe(SchemaParameter.of(req), table(req)));
    }

    private void alter(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        String table = table(req);
        TableChanges changes = TableChanges.parse(RequestBody.json(req), schema);
        Json.send(res, tables.alter(schema, table, changes));
    }

    private void drop(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        String table = table(req);
        ObjectNode dropped = tables.drop(schema, table);
        AuditLog.record(req, "DELETE_TABLE", "DATABASE", Json.object().put("schema", schema).put("tableName", table));
        Json.send(res, dropped);
    }

    private static String table(ServerRequest req) {
        return Identifiers.require("table", req.path().pathParameters().get("table"));
    }
}
