package dev.anvil.server.functions;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.RateLimit;
import dev.anvil.server.secrets.SecretStore;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

/**
 * The functions domain assembled: the store, the runtime (local child process or remote), the
 * catalog of invocable versions, and the secrets functions see. {@code AnvilServer} creates one,
 * registers its two services and closes it (which stops a local runtime).
 */
public final class Functions implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Functions.class.getName());

    private final FunctionStore store;
    private final FunctionSecrets secrets;
    private final FunctionRuntime runtime;
    private final HttpService adminService;
    private final HttpService invocationService;

    private Functions(FunctionStore store, FunctionCatalog catalog, FunctionSecrets secrets, FunctionRuntime runtime,
                      Credentials credentials, Supplier<String> baseUrl, long maxResponseBytes, RateLimit writes) {
        this.store = store;
        this.secrets = secrets;
        this.runtime = runtime;
        FunctionDeployer deployer = new FunctionDeployer(store, runtime, catalog, baseUrl);
        runtime.whenHostStarts(deployer::fill);
        this.adminService = new FunctionsService(credentials, store, catalog, deployer, runtime, writes);
        this.invocationService = new FunctionInvocationService(catalog, runtime, maxResponseBytes);
    }

    /**
     * @param baseUrl     the public base URL (known once the server listens)
     * @param internalUrl how a function reaches this server (its INSFORGE_INTERNAL_URL)
     */
    public static Functions create(AnvilConfig config, Path dataDir, DbClient db, SecretStore secretStore,
                                   Credentials credentials, Clock clock, Supplier<String> baseUrl,
                                   Supplier<String> internalUrl) {
        FunctionStore store = new FunctionStore(db);
        // A local runtime belongs to this server, so its functions call this server back. A remote
        // runtime is shared by every replica: all must hand it the same secrets (else each would
        // make it reload its workers), so it gets the stored INSFORGE_INTERNAL_URL — set
        // ANVIL_INTERNAL_URL to the server's Service URL there.
        boolean remote = config.find(FunctionSettings.DENO_RUNTIME_URL).isPresent();
        FunctionSecrets secrets = new FunctionSecrets(secretStore, remote ? () -> null : internalUrl, clock);
        FunctionRuntime runtime = FunctionRuntime.create(config, dataDir, secrets);
        // InsForge rate limits function writes per IP: each deploy starts workers on the runtime.
        RateLimit writes = new RateLimit("function-writes", RateLimit.Rule.from(config, FunctionSettings.RATE_LIMIT_WRITES),
                "Too many function changes from this address, please try again later", clock);
        return new Functions(store, new FunctionCatalog(store, clock), secrets, runtime, credentials, baseUrl,
                config.getLong(FunctionSettings.MAX_RESPONSE_MB) * 1024 * 1024, writes);
    }

    /** Mounts {@code /api/functions} (admin) and {@code /functions} (the invocation proxy; no {@code /api} prefix). */
    public void register(HttpRouting.Builder routing) {
        routing.register("/api/functions", adminService);
        routing.register("/functions", invocationService);
    }

    /** A secret changed: the next invocation sees the new set. */
    public void secretsChanged() {
        secrets.invalidate();
        runtime.secretsChanged();
    }

    /**
     * A local runtime starts on first use; when active functions exist it is started now, in the
     * background, so their first call does not wait for it.
     */
    public void startRuntimeIfFunctionsExist() {
        Thread.ofVirtual().name("functions-warm-up").start(() -> {
            try {
                if (store.hasActive()) {
                    runtime.startInBackground();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "Could not check for active functions: " + e.getMessage());
            }
        });
    }

    public FunctionRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        runtime.close();
    }
}
