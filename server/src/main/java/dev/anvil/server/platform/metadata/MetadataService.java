package dev.anvil.server.platform.metadata;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.SchemaParameter;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.platform.AuditLog;
import io.helidon.dbclient.DbClient;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/metadata} (contract §8), admin only: everything an agent needs to know about the
 * project ({@code GET /}, as JSON or markdown), its slices, the keys, the project id, database
 * credentials (see {@link DatabaseCredentials}) and one table's schema ({@code GET /:tableName}).
 * The fixed paths are routed before {@code /:tableName}; a user table named like one of them
 * ({@code auth}, {@code storage} …) is described through {@code GET /api/database/tables/:table/schema}.
 */
public final class MetadataService implements HttpService {

    private static final String MARKDOWN = "text/markdown; charset=utf-8";
    private static final String MCP_HINT = "Call get-table-schema (GET /api/metadata/<table>) for a table's columns, "
            + "indexes, foreign keys and RLS policies. Record counts are exact unless counting took too long.";

    private final Credentials credentials;
    private final ProjectMetadata metadata;
    private final TableSchemaExport tables;
    private final DatabaseCredentials databaseCredentials;
    private final Optional<String> projectId;

    public MetadataService(Credentials credentials, ProjectMetadata metadata, RoleTransaction transactions,
                           DbClient db, DatabaseLocation location, boolean exposeDatabaseCredentials,
                           Optional<String> projectId) {
        this.credentials = credentials;
        this.metadata = metadata;
        this.tables = new TableSchemaExport(transactions);
        this.databaseCredentials = new DatabaseCredentials(exposeDatabaseCredentials, location, db);
        this.projectId = projectId;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any((req, res) -> {
            credentials.admin(req);
            res.next();
        })
                .get("/", this::all)
                .get("/auth", (req, res) -> Json.send(res, metadata.auth()))
                .get("/database", (req, res) -> Json.send(res, metadata.database()))
                .get("/storage", (req, res) -> Json.send(res, metadata.storage()))
                .get("/functions", (req, res) -> Json.send(res, metadata.functions()))
                .get("/realtime", (req, res) -> Json.send(res, metadata.realtime()))
                .get("/api-key", (req, res) -> Json.send(res, Json.object().put("apiKey", credentials.projectKeys().apiKey())))
                .get("/anon-key", (req, res) -> Json.send(res, Json.object().put("anonKey", credentials.projectKeys().anonKey())))
                .get("/project-id", (req, res) -> Json.send(res, Json.object().put("projectId", projectId.orElse(null))))
                .get("/database-connection-string", (req, res) -> {
                    ObjectNode connection = databaseCredentials.connection();
                    AuditLog.record(req, "READ_DATABASE_CREDENTIALS", "DATABASE", Json.object().put("what", "connection string"));
                    Json.send(res, connection);
                })
                .get("/database-password", (req, res) -> {
                    ObjectNode password = databaseCredentials.password();
                    AuditLog.record(req, "READ_DATABASE_CREDENTIALS", "DATABASE", Json.object().put("what", "password"));
                    Json.send(res, password);
                })
                .get("/{tableName}", this::table);
    }

    /**
     * {@code ?format=json} (default) or {@code markdown}; {@code ?mcp=true} (what the MCP server's
     * {@code get-backend-metadata} sends) adds a hint on where to go next.
     */
    private void all(ServerRequest req, ServerResponse res) throws SQLException {
        String format = req.query().first("format").orElse("json");
        if (!format.equals("json") && !format.equals("markdown")) {
            throw ApiException.invalidInput("format: Invalid enum value. Expected 'json' | 'markdown', received '" + format + "'");
        }
        ObjectNode body = metadata.all();
        if (req.query().first("mcp").map(Boolean::parseBoolean).orElse(false)) {
            ((ObjectNode) body.get("database")).put("hint", MCP_HINT);
        }
        if (format.equals("markdown")) {
            res.header(HeaderNames.CONTENT_TYPE, MARKDOWN);
            res.send(MetadataMarkdown.render(body).getBytes(StandardCharsets.UTF_8));
            return;
        }
        Json.send(res, body);
    }

    private void table(ServerRequest req, ServerResponse res) throws SQLException {
        String table = Identifiers.require("table", req.path().pathParameters().get("tableName"));
        Json.send(res, tables.describe(SchemaParameter.of(req), table));
    }
}
