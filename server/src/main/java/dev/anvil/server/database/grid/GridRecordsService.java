package dev.anvil.server.database.grid;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.SchemaParameter;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/database/admin/tables/:table/records[/lookup]} (contract §3.5): the dashboard's data
 * grid, admin only. Lists a page ({@code {data, pagination}}), looks a row up by column values,
 * inserts records, and updates or deletes rows addressed by their whole primary key
 * ({@code pkKeys}, composite keys included), in the schema named by {@code ?schema=}.
 */
public final class GridRecordsService implements HttpService {

    /**
     * Numbers as the client wrote them: a numeric(30,3) value must not pass through a double. In a
     * holder class so that building this service does not initialise Jackson during the server's
     * start (see {@link Json#warmUp}).
     */
    private static final class ExactNumbers {
        static final ObjectReader READER = Json.mapper().reader()
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    }

    private final Credentials credentials;
    private final GridStore store;

    public GridRecordsService(Credentials credentials, RoleTransaction transactions, Duration readTimeout) {
        this.credentials = credentials;
        this.store = new GridStore(transactions, readTimeout);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{table}/records", this::list)
                .get("/{table}/records/lookup", this::lookup)
                .post("/{table}/records", this::insert)
                .patch("/{table}/records", this::update)
                .delete("/{table}/records", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        GridListQuery query = GridListQuery.parse(req);
        GridStore.Page page = store.list(schema, table(req), query);
        ObjectNode body = Json.object();
        body.set("data", rawArray(page.rows()));
        body.putObject("pagination").put("offset", query.offset()).put("limit", query.limit()).put("total", page.total());
        if (page.estimate()) {
            res.header("X-Total-Is-Estimate", "true");
        }
        Json.send(res, body);
    }

    private void lookup(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        List<String> columns = req.query().all("column", List::of).stream().map(String::strip).toList();
        List<String> values = req.query().all("value", List::of);
        if (columns.isEmpty() || columns.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalidInput(columns.isEmpty() ? "column: Required" : "column: String must contain at least 1 character(s)");
        }
        if (values.isEmpty()) {
            throw ApiException.invalidInput("value: Required");
        }
        if (columns.size() != values.size()) {
            throw ApiException.invalidInput("value: column and value must have the same number of entries");
        }
        RawValue row = store.lookup(schema, table(req), columns, values);
        Json.send(res, row == null ? NullNode.getInstance() : row);
    }

    private void insert(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        String table = table(req);
        List<RawValue> created = store.insert(schema, table, GridBodies.records(body(req)));
        AuditLog.record(req, "CREATE_RECORDS", "DATABASE", details(schema, table).put("count", created.size()));
        Json.send(res, 201, rawArray(created));
    }

    private void update(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        String table = table(req);
        GridBodies.Update update = GridBodies.update(body(req));
        RawValue row = store.update(schema, table, update);
        AuditLog.record(req, "UPDATE_RECORD", "DATABASE", details(schema, table).set("pkKeys", update.key()));
        Json.send(res, row);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String schema = SchemaParameter.of(req);
        String table = table(req);
        int deleted = store.delete(schema, table, GridBodies.deleteKeys(body(req)));
        if (deleted > 0) {
            AuditLog.record(req, "DELETE_RECORDS", "DATABASE", details(schema, table).put("deletedCount", deleted));
        }
        Json.send(res, Json.object().put("deletedCount", deleted));
    }

    private static JsonNode body(ServerRequest req) {
        return RequestBody.json(req, ExactNumbers.READER);
    }

    private static ObjectNode details(String schema, String table) {
        return Json.object().put("schema", schema).put("tableName", table);
    }

    private static ArrayNode rawArray(List<RawValue> rows) {
        ArrayNode array = Json.mapper().createArrayNode();
        rows.forEach(array::addRawValue);
        return array;
    }

    private static String table(ServerRequest req) {
        return Identifiers.require("table", req.path().pathParameters().get("table"));
    }
}
