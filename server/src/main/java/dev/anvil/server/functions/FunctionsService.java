package dev.anvil.server.functions;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.RateLimit;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/functions} (contract §5.1, admin only): list with the runtime's status, read with
 * code, create, update and delete. Creating or updating an active function deploys it
 * ({@link FunctionDeployer}); drafts are stored only.
 */
public final class FunctionsService implements HttpService {

    private final Credentials credentials;
    private final FunctionStore store;
    private final FunctionCatalog catalog;
    private final FunctionDeployer deployer;
    private final FunctionRuntime runtime;
    private final RateLimit writes;

    FunctionsService(Credentials credentials, FunctionStore store, FunctionCatalog catalog, FunctionDeployer deployer,
                     FunctionRuntime runtime, RateLimit writes) {
        this.writes = writes;
        this.credentials = credentials;
        this.store = store;
        this.catalog = catalog;
        this.deployer = deployer;
        this.runtime = runtime;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .get("/{slug}", this::read)
                .put("/{slug}", this::update)
                .delete("/{slug}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ObjectNode body = Json.object();
        ArrayNode functions = body.putArray("functions");
        store.list().forEach(function -> functions.add(json(function)));
        body.putObject("runtime").put("status", runtime.healthy() ? "running" : "unavailable");
        // InsForge puts its cloud deployment here, the URL functions are served at without the proxy.
        body.put("deploymentUrl", runtime.directUrl().map(Object::toString).orElse(null));
        Json.send(res, body);
    }

    private void read(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        Json.send(res, json(find(req.path().pathParameters().get("slug"))));
    }

    private void create(ServerRequest req, ServerResponse res) {
        writes.consume(req, res);
        credentials.admin(req);
        FunctionInput input = FunctionInput.forCreate(RequestBody.json(req));
        FunctionStore.FunctionRecord created = store.insert(input.slug(), input.name(), input.description(), input.code(),
                input.status());
        catalog.invalidate(created.slug());
        AuditLog.record(req, "CREATE_FUNCTION", "FUNCTIONS", Json.object().put("slug", created.slug()).put("status", created.status()));
        Json.send(res, 201, result(FunctionStore.ACTIVE.equals(created.status()) ? deployer.deploy(created) : stored(created)));
    }

    private void update(ServerRequest req, ServerResponse res) {
        writes.consume(req, res);
        credentials.admin(req);
        String slug = req.path().pathParameters().get("slug");
        FunctionInput input = FunctionInput.forUpdate(RequestBody.json(req));
        FunctionStore.FunctionRecord current = find(slug);
        // A function in error was meant to be active: new code is deployed again.
        String target = input.status() != null ? input.status()
                : FunctionStore.ERROR.equals(current.status()) ? FunctionStore.ACTIVE : current.status();
        boolean redeploy = FunctionStore.ACTIVE.equals(target) && (input.code() != null || input.status() != null);
        String storedStatus = input.status() != null || redeploy ? target : null;
        FunctionStore.FunctionRecord updated = store.update(slug, input.name(), input.description(), input.code(),
                storedStatus).orElseThrow(FunctionsService::notFound);
        catalog.invalidate(slug);
        if (FunctionStore.DRAFT.equals(updated.status())) {
            runtime.remove(slug);
        }
        AuditLog.record(req, "UPDATE_FUNCTION", "FUNCTIONS", Json.object().put("slug", slug).put("status", updated.status())
                .put("codeChanged", input.code() != null));
        Json.send(res, result(redeploy ? deployer.deploy(updated) : stored(updated)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        writes.consume(req, res);
        credentials.admin(req);
        String slug = req.path().pathParameters().get("slug");
        if (!store.delete(slug)) {
            throw notFound();
        }
        catalog.invalidate(slug);
        runtime.remove(slug);
        AuditLog.record(req, "DELETE_FUNCTION", "FUNCTIONS", Json.object().put("slug", slug));
        ObjectNode body = Json.object();
        body.put("success", true);
        body.put("message", "Function " + slug + " deleted successfully");
        Json.send(res, body);
    }

    private FunctionStore.FunctionRecord find(String slug) {
        return store.find(slug).orElseThrow(FunctionsService::notFound);
    }

    private static FunctionDeployer.Outcome stored(FunctionStore.FunctionRecord function) {
        return new FunctionDeployer.Outcome(function, null, true);
    }

    private static ObjectNode result(FunctionDeployer.Outcome outcome) {
        ObjectNode body = Json.object();
        body.put("success", outcome.success());
        body.set("function", json(outcome.function()));
        body.set("deployment", outcome.deployment());
        return body;
    }

    static ObjectNode json(FunctionStore.FunctionRecord function) {
        ObjectNode body = Json.object();
        body.put("id", function.id());
        body.put("slug", function.slug());
        body.put("name", function.name());
        body.put("description", function.description());
        if (function.code() != null) {
            body.put("code", function.code());
        }
        body.put("status", function.status());
        body.putPOJO("createdAt", millis(function.createdAt()));
        body.putPOJO("updatedAt", millis(function.updatedAt()));
        body.putPOJO("deployedAt", millis(function.deployedAt()));
        return body;
    }

    private static Instant millis(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }

    private static ApiException notFound() {
        return ApiException.notFound("FUNCTION_NOT_FOUND", "Function not found");
    }
}
