package dev.anvil.server.functions;

import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * Deploying is loading the code into the runtime: the host evaluates it in a warm worker, so
 * code that does not compile, throws while loading or exports no handler is caught here — the
 * function gets status {@code error} and the deployment carries the message — instead of on the
 * first call. The first call after a successful deploy finds its worker already warm.
 */
final class FunctionDeployer {

    private final FunctionStore store;
    private final FunctionRuntime runtime;
    private final FunctionCatalog catalog;
    private final Supplier<String> baseUrl;

    FunctionDeployer(FunctionStore store, FunctionRuntime runtime, FunctionCatalog catalog, Supplier<String> baseUrl) {
        this.store = store;
        this.runtime = runtime;
        this.catalog = catalog;
        this.baseUrl = baseUrl;
    }

    /** The function after the deploy, and InsForge's deployment object ({@code {id, status, url, buildLogs}}). */
    record Outcome(FunctionStore.FunctionRecord function, ObjectNode deployment, boolean success) {
    }

    /** Deploys a function whose row already holds the code and status {@code active}. */
    Outcome deploy(FunctionStore.FunctionRecord function) {
        catalog.invalidate(function.slug());
        String version = ContentHash.of(function.code());
        long started = System.nanoTime();
        FunctionRuntime.Deployment result = runtime.deploy(function.slug(), version, function.code());
        long millis = (System.nanoTime() - started) / 1_000_000;

        String id = UUID.randomUUID().toString();
        String url = baseUrl.get() + "/functions/" + function.slug();
        FunctionStore.FunctionRecord updated;
        List<String> logs;
        boolean success = result.status() == FunctionRuntime.Deployment.Status.READY;
        switch (result.status()) {
            case READY -> {
                updated = store.markDeployed(function.slug(), FunctionStore.ACTIVE, true);
                logs = List.of("Loaded " + function.slug() + " (version " + version + ") in " + millis + " ms");
            }
            case FAILED -> {
                updated = store.markDeployed(function.slug(), FunctionStore.ERROR, false);
                logs = List.of("[error] " + result.message());
            }
            default -> {
                // The code may be fine; the runtime was not there to say. It stays active and is
                // loaded on its first call.
                updated = function;
                logs = List.of("[error] Function runtime unavailable: " + result.message());
            }
        }
        catalog.invalidate(function.slug());
        store.recordDeployment(id, function.slug(), success, success ? url : null, success ? null : logs.get(0), logs);

        ObjectNode deployment = Json.object();
        deployment.put("id", id);
        deployment.put("status", success ? "success" : "failed");
        deployment.put("url", success ? url : null);
        ArrayNode buildLogs = deployment.putArray("buildLogs");
        logs.forEach(buildLogs::add);
        return new Outcome(updated, deployment, success);
    }
}
