package dev.anvil.server.database.export;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.db.PgErrors;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/database/advance/export} (contract §3.5), admin only → {@code {format, data,
 * timestamp, truncatedTables?, rowLimit?}}. Everything is read in one read-only transaction as
 * {@code project_admin} (which bypasses RLS), so the schema and the rows are one consistent snapshot.
 */
public final class DatabaseExportService implements HttpService {

    private final Credentials credentials;
    private final RoleTransaction transactions;
    private final Duration statementTimeout;

    public DatabaseExportService(Credentials credentials, RoleTransaction transactions, Duration statementTimeout) {
        this.credentials = credentials;
        this.transactions = transactions;
        this.statementTimeout = statementTimeout;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::export);
    }

    private void export(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ExportRequest request = ExportRequest.from(RequestBody.object(req));
        String timestamp = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        List<String> truncated = new ArrayList<>();
        ObjectNode body = Json.object();
        body.put("format", request.format().name().toLowerCase());
        List<String> exported = new ArrayList<>();
        try {
            transactions.run(Principal.PROJECT_ADMIN, new Principal.ApiKey().claimsJson(), true, connection -> {
                RoleTransaction.limitStatementTime(connection, statementTimeout);
                try (PreparedStatement searchPath = connection.prepareStatement("SELECT set_config('search_path', 'pg_catalog', true)")) {
                    searchPath.execute();
                }
                ExportSession session = new ExportSession(connection);
                List<ExportSession.Table> tables = session.tables(request.tables());
                tables.forEach(table -> exported.add(table.name()));
                if (request.format() == ExportRequest.Format.SQL) {
                    body.put("data", new SqlScriptExport(session, request).write(tables, timestamp));
                } else {
                    body.set("data", new JsonExport(session, request).write(tables, timestamp));
                }
                truncated.addAll(session.truncated());
                return null;
            });
        } catch (SQLException e) {
            throw PgErrors.toApiException(e);
        }
        body.put("timestamp", timestamp);
        if (!truncated.isEmpty()) {
            body.set("truncatedTables", Json.mapper().valueToTree(truncated));
            body.put("rowLimit", request.rowLimit());
        }
        AuditLog.record(req, "EXPORT_DATABASE", "DATABASE", Json.object()
                .put("format", request.format().name().toLowerCase())
                .put("includeData", request.includeData())
                .put("rowLimit", request.rowLimit())
                .set("tables", Json.mapper().valueToTree(exported)));
        Json.send(res, body);
    }
}
