package dev.anvil.server.database.migrations;

import java.sql.SQLException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.ErrorBody;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/database/migrations} (contract §3.5), admin only: {@code GET /} lists the applied
 * custom migrations ({@code {migrations: [...]}}, newest version first), {@code POST /} applies one
 * (201 with the ledger row and {@code message}), {@code POST /dry-run} tries one and rolls it back.
 *
 * <p>A dry run answers 200 whatever the SQL does — the request succeeded, the migration is what
 * may not: {@code {success: true, …}} or {@code {success: false, error: {error, message,
 * statusCode, nextActions?}}} with the error the apply would answer. Only a body that is not a
 * migration at all (400) or a server fault (5xx) is answered as an error.
 */
public final class MigrationsService implements HttpService {

    private final Credentials credentials;
    private final CustomMigrations migrations;

    public MigrationsService(Credentials credentials, CustomMigrations migrations) {
        this.credentials = credentials;
        this.migrations = migrations;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::apply)
                .post("/dry-run", this::dryRun);
    }

    private void list(ServerRequest req, ServerResponse res) throws SQLException {
        credentials.admin(req);
        ObjectNode body = Json.object();
        body.set("migrations", migrations.list());
        Json.send(res, body);
    }

    private void apply(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        MigrationRequest migration = MigrationRequest.from(RequestBody.object(req));
        ObjectNode applied = migrations.apply(migration, AuditLog.actor(req));
        AuditLog.record(req, "CREATE_CUSTOM_MIGRATION", "DATABASE", Json.object()
                .put("version", migration.version())
                .put("name", migration.name())
                .put("statementCount", applied.path("statements").size()));
        applied.put("message", "Migration executed successfully");
        Json.send(res, 201, applied);
    }

    private void dryRun(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        MigrationRequest migration = MigrationRequest.from(RequestBody.object(req));
        ObjectNode answer = Json.object();
        try {
            ObjectNode wouldBe = migrations.tryApply(migration, AuditLog.actor(req));
            answer.put("success", true);
            answer.setAll(wouldBe);
            answer.put("message", "Dry run succeeded: the migration would apply. Nothing was changed.");
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw e;
            }
            answer.put("success", false);
            answer.put("version", migration.version());
            answer.put("name", migration.name());
            answer.put("message", "Dry run failed: the migration would not apply. Nothing was changed.");
            answer.set("error", ErrorBody.of(e));
        }
        Json.send(res, answer);
    }
}
