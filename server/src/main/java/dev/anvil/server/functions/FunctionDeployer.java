package dev.anvil.server.functions;

import java.lang.System.Logger.Level;
import java.net.URI;
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

    private static final System.Logger LOG = System.getLogger(FunctionDeployer.class.getName());

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

    /**
     * A runtime host with a public listener started (the first, or one restarted after a crash or
     * a recycle): it is given every active function, since calls to that listener never pass
     * through this server to fill it on demand. Each is read again just before it is sent, and the
     * host keeps what a deploy gave it meanwhile, so older code does not replace newer.
     */
    void fill(URI host) {
        int loaded = 0;
        try {
            for (FunctionStore.FunctionRecord listed : store.list()) {
                if (!FunctionStore.ACTIVE.equals(listed.status())) {
                    continue;
                }
                var function = store.find(listed.slug()).filter(found -> FunctionStore.ACTIVE.equals(found.status()));
                if (function.isEmpty()) {
                    continue;
                }
                FunctionRuntime.Deployment result = runtime.fill(host, listed.slug(), ContentHash.of(function.get().code()),
                        function.get().code());
                if (result.status() == FunctionRuntime.Deployment.Status.READY) {
                    loaded++;
                } else {
                    LOG.log(Level.WARNING, "Function " + listed.slug() + " is not served directly: " + result.message());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not give the function runtime its active functions: " + e.getMessage());
        }
        LOG.log(Level.DEBUG, "Function runtime at " + host + " given " + loaded + " active functions");
    }
}
