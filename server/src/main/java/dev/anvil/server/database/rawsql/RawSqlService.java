package dev.anvil.server.database.rawsql;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.database.rawsql.RawSqlExecutor.Mode;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/database/advance} raw SQL (contract §3.4), admin only: {@code POST /rawsql} runs as
 * {@code project_admin}, {@code POST /rawsql/unrestricted} as the server's own database role.
 */
public final class RawSqlService implements HttpService {

    private final Credentials credentials;
    private final RawSqlExecutor executor;

    public RawSqlService(Credentials credentials, RawSqlExecutor executor) {
        this.credentials = credentials;
        this.executor = executor;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/rawsql", (req, res) -> run(req, res, Mode.PROJECT_ADMIN))
                .post("/rawsql/unrestricted", (req, res) -> run(req, res, Mode.OWNER));
    }

    private void run(ServerRequest req, ServerResponse res, Mode mode) {
        credentials.admin(req);
        RawSqlRequest request = RawSqlRequest.from(RequestBody.object(req));
        ObjectNode result = executor.execute(request, mode);
        AuditLog.record(req, "EXECUTE_RAW_SQL", "DATABASE", Json.object()
                .put("query", request.query().length() > 300 ? request.query().substring(0, 300) : request.query())
                .put("paramCount", request.params().size())
                .put("mode", mode == Mode.OWNER ? "unrestricted" : "project_admin")
                .set("rowsAffected", result.get("rowCount")));
        Json.send(res, result);
    }
}
