package dev.anvil.server;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import dev.anvil.server.auth.AccessTokens;
import dev.anvil.server.auth.AuthDomain;
import dev.anvil.server.auth.AuthSettings;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.auth.ProjectKeys;
import dev.anvil.server.auth.SigningKeys;
import dev.anvil.server.auth.oauth.OAuth;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.CoreSettings;
import dev.anvil.server.database.DatabaseAdminApi;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.DatabaseSettings;
import dev.anvil.server.db.EmbeddedDatabase;
import dev.anvil.server.db.Migrations;
import dev.anvil.server.functions.FunctionSettings;
import dev.anvil.server.functions.Functions;
import dev.anvil.server.http.BodyLimit;
import dev.anvil.server.http.ClientAddress;
import dev.anvil.server.http.CorsFilter;
import dev.anvil.server.http.ErrorHandling;
import dev.anvil.server.http.HttpSettings;
import dev.anvil.server.http.Json;
import dev.anvil.server.platform.DatabaseHealthCheck;
import dev.anvil.server.platform.HealthService;
import dev.anvil.server.platform.PlatformDomain;
import dev.anvil.server.platform.PlatformSettings;
import dev.anvil.server.platform.PrometheusMetrics;
import dev.anvil.server.platform.logs.RecentLogRecords;
import dev.anvil.server.realtime.Realtime;
import dev.anvil.server.records.RecordsEngine;
import dev.anvil.server.records.RecordsService;
import dev.anvil.server.secrets.EncryptionKeyFile;
import dev.anvil.server.secrets.KeyBootstrap;
import dev.anvil.server.secrets.KeyRotation;
import dev.anvil.server.secrets.SecretCipher;
import dev.anvil.server.secrets.SecretStore;
import dev.anvil.server.secrets.SecretsService;
import dev.anvil.server.storage.Storage;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;

/**
 * Assembles one Anvil server: database (external, or embedded when none is configured) →
 * migrations → instance keys and, meanwhile, domain services → HTTP. Everything a request needs is
 * built here and handed to the services through their constructors, so the wiring reads top to bottom.
 */
public final class AnvilServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AnvilServer.class.getName());

    /** Above the largest upload storage allows (200 MiB); JSON bodies have their own, lower limit. */
    private static final long LISTENER_PAYLOAD_LIMIT = 256L * 1024 * 1024;
    /**
     * Longest request line accepted (Helidon's default is 4 KiB): PostgREST-style query strings grow
     * with their filters — postgrest-js writes {@code id=in.(…)} with every id in the URL.
     */
    static final int REQUEST_LINE_LIMIT = 32 * 1024;
    /** How long the start waits for realtime's LISTEN connection before it accepts sockets anyway. */
    private static final Duration REALTIME_LISTEN_WAIT = Duration.ofSeconds(5);
    /** Long enough for the first requests after a start (a readiness probe, a client) not to share the CPU with it. */
    private static final Duration METRICS_START_DELAY = Duration.ofSeconds(2);

    private final AnvilConfig config;
    /** Closed in reverse order of creation (see {@link #track}). */
    private final List<AutoCloseable> resources = new ArrayList<>();
    /** Set by {@link #close}; guarded by {@link #resources}. */
    private boolean closed;
    /** Completed once logging is configured; the data side, started before that, waits for it before it logs. */
    private final CompletableFuture<Void> loggingConfigured = new CompletableFuture<>();

    // The data side, built by startDataSide in this order: the database, then every domain while the
    // instance's keys load. Routing only registers what is built here.
    private RecentLogRecords recentLogs;
    private Optional<Path> postgresLog = Optional.empty();
    private Database database;
    private SecretStore secrets;
    /**
     * The instance's keys, loaded on a thread of their own while the domains and the HTTP side are
     * built; the services hold them through futures, and the server has them before it listens.
     */
    private CompletableFuture<InstanceKeys> instanceKeys;
    private Credentials credentials;
    private KeyRotation keyRotation;
    private AuthDomain auth;
    private OAuth oauth;
    private DatabaseAdminApi databaseApi;
    private RecordsEngine records;
    private RecordsService recordsApi;
    private Storage storage;
    private Functions functions;
    private SecretsService secretsApi;
    private Realtime realtime;
    private PlatformDomain platform;
    private final PrometheusMetrics metrics = new PrometheusMetrics();

    // The HTTP side.
    private WebServer webServer;
    private String baseUrl;

    private AnvilServer(AnvilConfig config) {
        this.config = config;
    }

    public static AnvilServer start(AnvilConfig config) {
        return start(config, () -> { }, server -> { });
    }

    /**
     * Starts the server; {@code configureLogging} runs on this thread once Postgres is launching
     * (configuring logging takes ~50 ms of a start under a second, which Postgres' boot now
     * overlaps). Nothing on the data side logs before it has run. {@code beforeStart} gets the
     * server before anything is started: a shutdown hook registered there also covers a start in
     * progress, and a SIGTERM that comes as soon as the listener answers (before this returns)
     * still stops the embedded Postgres.
     */
    public static AnvilServer start(AnvilConfig config, Runnable configureLogging, Consumer<AnvilServer> beforeStart) {
        AnvilServer server = new AnvilServer(config);
        beforeStart.accept(server);
        try {
            server.startInternal(configureLogging);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startInternal(Runnable configureLogging) {
        Path dataDir = Path.of(config.get(CoreSettings.DATA_DIR));
        // The data side (Postgres — a child process when embedded —, migrations, keys, domains) comes
        // up on another thread while this one prepares the HTTP side; on two cores that halves startup.
        // Each gets a thread of its own: the common pool has one worker on two cores, and would run
        // them one after the other.
        CompletableFuture<Void> dataSide = CompletableFuture.runAsync(() -> startDataSide(dataDir), ownThread("anvil-data-side"));
        // Helidon builds its global service registry the first time something asks for it (its
        // routing does, through the empty-parameters mapper): ~150 ms of CPU that would otherwise
        // come after the data side, when the routing is built.
        CompletableFuture<Void> helidonRegistry = CompletableFuture.runAsync(GlobalServiceRegistry::registry,
                ownThread("anvil-helidon-registry"));
        WebServerConfig.Builder builder;
        try {
            builder = configureWhileDataSideStarts(configureLogging);
        } catch (RuntimeException e) {
            // Let the data side finish first, so what it started (Postgres, the pool) is tracked and closed.
            dataSide.exceptionally(failure -> null).join();
            letKeysFinish();
            throw e;
        }
        joined(dataSide); // first: once it is done, a failure below closes everything it started
        joined(helidonRegistry);

        long maxBodyBytes = config.getLong(CoreSettings.MAX_BODY_MB) * 1024 * 1024;
        WebServer server;
        try {
            // The keys may still be loading: the routing and the server are built meanwhile.
            server = builder.maxPayloadSize(Math.max(Math.max(LISTENER_PAYLOAD_LIMIT, maxBodyBytes), storage.maxRequestBytes()))
                    .routing(routing -> routing(routing, new BodyLimit(maxBodyBytes)))
                    .addRouting(realtime.wsRouting())
                    .addProtocol(realtime.wsConfig())
                    .addProtocol(Http1Config.builder().maxPrologueLength(REQUEST_LINE_LIMIT).build())
                    .build();
        } catch (RuntimeException e) {
            letKeysFinish();
            throw e;
        }
        joined(instanceKeys); // no request is served before the keys are there
        realtime.awaitListening(REALTIME_LISTEN_WAIT);
        synchronized (resources) {
            if (closed) {
                throw new IllegalStateException("The server was shut down while it was starting");
            }
        }
        webServer = server.start();
        if (!webServer.isRunning() || webServer.port() < 0) {
            // Helidon logs a bind failure and returns; a server that cannot listen must not look started.
            throw new IllegalStateException("HTTP listener could not start on " + config.get(CoreSettings.HOST) + ":"
                    + config.get(CoreSettings.PORT) + " (is the port in use?)");
        }
        baseUrl = config.find(CoreSettings.API_BASE_URL)
                .map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url)
                .orElse("http://localhost:" + webServer.port());
        // A quarter of a start's CPU if built before the server listens (see PrometheusMetrics).
        metrics.startInBackground(METRICS_START_DELAY);
        // Nothing on the start path uses Jackson (~0.1 s of CPU, a tenth of the start's): it is
        // initialised now, while the first requests (readiness probes: /api/health) need none of it.
        ownThread("anvil-json-warm-up").execute(Json::warmUp);
        KeyBootstrap.ensureServiceUrls(secrets, baseUrl, internalUrl());
        functions.startRuntimeIfFunctionsExist();
    }

    /**
     * What this thread does while the data side starts: configures logging (the data side waits for
     * it before it logs) and everything of the web server that does not depend on the domains.
     */
    private WebServerConfig.Builder configureWhileDataSideStarts(Runnable configureLogging) {
        try {
            configureLogging.run();
            // Before anything logs, so /api/logs shows how the start went.
            recentLogs = RecentLogRecords.install(config.getInt(PlatformSettings.LOG_BUFFER_RECORDS));
            track(recentLogs);
        } finally {
            loggingConfigured.complete(null);
        }
        WebServerConfig.Builder builder = WebServer.builder()
                .host(config.get(CoreSettings.HOST))
                .port(config.getInt(CoreSettings.PORT))
                .directHandlers(ErrorHandling.directHandlers(REQUEST_LINE_LIMIT))
                .shutdownHook(false)
                // Helidon leaves Nagle's algorithm on; a WebSocket frame larger than the write buffer
                // (a subscribe ack listing a room's members) then waits for the client's delayed ACK,
                // 40 ms per subscribe on Linux.
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                // Only the features added here: Helidon would otherwise also discover the access log
                // on the classpath and log every request even with ANVIL_ACCESS_LOG=false.
                .featuresDiscoverServices(false)
                .addFeature(observeFeature());
        if (config.getBoolean(CoreSettings.ACCESS_LOG)) {
            builder.addFeature(AccessLogFeature.builder().commonLogFormat().build());
        }
        return builder;
    }

    /** On a failed start: the keys' thread uses the pool, so it is let finish before the pool is closed. */
    private void letKeysFinish() {
        if (instanceKeys != null) {
            instanceKeys.exceptionally(failure -> null).join();
        }
    }

    /** The task's result, or the exception it failed with as itself. */
    private static <T> T joined(CompletableFuture<T> task) {
        try {
            return task.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** A daemon thread per task, as the common pool's were: a start that failed elsewhere must not keep the JVM up. */
    private static Executor ownThread(String name) {
        return task -> Thread.ofPlatform().daemon().name(name).start(task);
    }

    private void startDataSide(Path dataDir) {
        openDatabase(dataDir);
        // The records engine reads its schema cache from pg_catalog and needs no keys: it loads
        // while the keys do.
        CompletableFuture<RecordsEngine> recordsStart = CompletableFuture.supplyAsync(() -> {
            RecordsEngine engine = RecordsEngine.start(config, database);
            track(engine);
            return engine;
        }, ownThread("anvil-records-schema"));
        EncryptionKeyFile.KeyMaterial keyMaterial = EncryptionKeyFile.resolve(config, dataDir);
        secrets = new SecretStore(database.client(), SecretCipher.fromKeyMaterial(keyMaterial.material()));
        // Reading (or, on a first start, generating) the keys is ~0.1 s of queries, decryption and
        // RSA parsing that no domain needs while it is built, only once requests come.
        instanceKeys = CompletableFuture.supplyAsync(() -> loadKeys(keyMaterial.source()), ownThread("anvil-keys"));
        try {
            prepareCredentials();
            buildDomains(dataDir, recordsStart);
        } catch (RuntimeException e) {
            // Let them finish, so the engine is tracked and closed with everything else, and the
            // keys' thread is done with the pool before it closes.
            recordsStart.exceptionally(failure -> null).join();
            letKeysFinish();
            throw e;
        }
    }

    /** The configured database, or the embedded one; migrated. */
    private void openDatabase(Path dataDir) {
        database = Database.connect(() -> {
            Database.Target target = DatabaseLocation.fromConfig(config).map(Database.Target::ready).orElseGet(() -> {
                EmbeddedDatabase embedded = EmbeddedDatabase.launch(dataDir, config.getInt(DatabaseSettings.EMBEDDED_PORT),
                        loggingConfigured::join);
                track(embedded);
                postgresLog = Optional.of(EmbeddedDatabase.logFile(dataDir));
                return Database.Target.booting(embedded.location(), embedded::awaitReady);
            });
            // The pool, Flyway and everything after them log through the configured handlers.
            loggingConfigured.join();
            return target;
        }, config.getInt(DatabaseSettings.POOL_SIZE));
        track(database);
        Migrations.migrate(database.dataSource());
    }

    /** What the key bootstrap settled, and the key holders built from it. */
    private record InstanceKeys(KeyBootstrap.Result bootstrap, SigningKeys signing, ProjectKeys projectKeys) {
    }

    /** The instance's keys: ensured by the bootstrap (generated on a first start), then parsed. */
    private InstanceKeys loadKeys(String keySource) {
        KeyBootstrap.Result bootstrap = KeyBootstrap.run(config, secrets, database.dataSource(), keySource);
        return new InstanceKeys(bootstrap, SigningKeys.from(bootstrap.instanceKeys()),
                new ProjectKeys(secrets, Clock.systemUTC()));
    }

    /**
     * The credential checks every service uses, over keys that may still be loading: each check
     * waits for them ({@link AccessTokens}, {@link Credentials}), and the server has them before it
     * accepts a connection.
     */
    private void prepareCredentials() {
        Clock clock = Clock.systemUTC();
        AccessTokens accessTokens = new AccessTokens(instanceKeys.thenApply(InstanceKeys::signing),
                config.getSeconds(AuthSettings.ACCESS_TOKEN_TTL), clock, AuthSettings.clockSkew(config));
        credentials = new Credentials(instanceKeys.thenApply(InstanceKeys::projectKeys), accessTokens);
        keyRotation = new KeyRotation(database.client(), secrets.cipher(), clock, () -> credentials.projectKeys().reload());
    }

    /**
     * Every domain, with what it needs handed in; {@code baseUrl} and {@code internalUrl} are
     * suppliers because they are known only once the server listens.
     */
    private void buildDomains(Path dataDir, CompletableFuture<RecordsEngine> recordsStart) {
        Clock clock = Clock.systemUTC();
        auth = AuthDomain.create(config, database.client(), secrets.cipher(), credentials, clock, this::baseUrl);
        oauth = OAuth.create(config, database.client(), secrets, credentials, auth, clock, this::baseUrl);
        databaseApi = DatabaseAdminApi.create(config, database, credentials);
        storage = Storage.start(config, dataDir, database.dataSource(),
                instanceKeys.thenApply(loaded -> loaded.bootstrap().jwtSecret()), credentials, this::baseUrl);
        track(storage);
        functions = Functions.create(config, dataDir, database.client(), secrets, credentials, clock, this::baseUrl,
                this::internalUrl);
        track(functions);
        secretsApi = new SecretsService(credentials, secrets, keyRotation, functions::secretsChanged);
        realtime = new Realtime(config, database, credentials);
        platform = PlatformDomain.create(config, database, credentials, recentLogs, postgresLog);
        records = joined(recordsStart);
        recordsApi = RecordsService.create(config, credentials, records);
    }

    /** How functions (and other in-cluster callers) reach this server: ANVIL_INTERNAL_URL, else loopback. */
    private String internalUrl() {
        return config.find(FunctionSettings.INTERNAL_URL).orElseGet(() -> {
            String host = config.get(CoreSettings.HOST);
            boolean anyAddress = host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost");
            return "http://" + (anyAddress ? "127.0.0.1" : host) + ":" + webServer.port();
        });
    }

    /** Resources close in reverse order of creation: the pool before the database it talks to. */
    private void track(AutoCloseable resource) {
        synchronized (resources) {
            if (!closed) {
                resources.add(0, resource);
                return;
            }
        }
        // Closed while starting (a shutdown hook ran during the start): what starts now stops at once.
        closeLogged(resource);
    }

    /** Helidon's health under /observe/health, with a database readiness check. */
    private ObserveFeature observeFeature() {
        return ObserveFeature.builder()
                .endpoint("/observe")
                // Metrics are served by PrometheusMetrics instead of the observer Helidon would find here.
                .observersDiscoverServices(false)
                .addObserver(HealthObserver.builder()
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(new DatabaseHealthCheck(() -> database.dataSource()))
                        .build())
                .build();
    }

    /**
     * Filters, error handling, then each domain's routes; nothing is built here. Helidon tries routes
     * in order and the first match wins: the records and RPC routes come right after health (most
     * requests are theirs, and each route tried before costs a prefix check — 6% of a records GET's
     * CPU when they came last), a PostgREST-wire mount at whatever path is configured comes last.
     */
    private void routing(HttpRouting.Builder routing, BodyLimit bodyLimit) {
        routing.addFilter(metrics.requestCounter());
        routing.addFilter(new CorsFilter());
        routing.addFilter(bodyLimit.filter());
        routing.addFilter(new ClientAddress(config.getInt(HttpSettings.TRUSTED_PROXY_HOPS)).filter());
        routing.addFilter(platform.auditLog().filter());
        ErrorHandling.register(routing);
        routing.register("/api", new HealthService());
        routing.register("/observe/metrics", metrics);
        recordsApi.registerApiRoutes(routing);
        platform.register(routing, auth::metadata);
        databaseApi.register(routing);
        auth.register(routing);
        oauth.register(routing);
        storage.register(routing);
        routing.register("/api/secrets", secretsApi);
        functions.register(routing);
        realtime.register(routing);
        recordsApi.registerPostgrestMount(routing);
    }

    public int port() {
        return webServer.port();
    }

    /** The public base URL (API_BASE_URL, or http://localhost:port). */
    public String baseUrl() {
        return baseUrl;
    }

    /** True when this start generated the admin and anon keys (the instance's first start). */
    public boolean generatedAccessKeys() {
        return instanceKeys.join().bootstrap().generatedAccessKeys();
    }

    public Database database() {
        return database;
    }

    public SecretStore secrets() {
        return secrets;
    }

    /** The listener's configuration as Helidon runs it (socket options included). */
    public WebServerConfig listenerConfig() {
        return webServer.prototype();
    }

    public Credentials credentials() {
        return credentials;
    }

    public AuthDomain auth() {
        return auth;
    }

    /** The records engine (its schema cache reloads on {@code NOTIFY pgrst} or {@link RecordsEngine#reloadSchemaCache()}). */
    public RecordsEngine records() {
        return records;
    }

    public Functions functions() {
        return functions;
    }

    /**
     * Stops everything started so far. Safe to call twice, and while the start is still running (a
     * shutdown hook): that start then fails, and whatever it would still start is stopped at once.
     */
    @Override
    public synchronized void close() {
        List<AutoCloseable> toClose;
        synchronized (resources) {
            closed = true;
            toClose = new ArrayList<>(resources);
            resources.clear();
        }
        if (realtime != null) {
            // Before the listener stops: sockets get their shutdown notice and presence is released.
            realtime.close();
            realtime = null;
        }
        if (webServer != null) {
            webServer.stop();
        }
        toClose.forEach(AnvilServer::closeLogged);
    }

    private static void closeLogged(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Error while shutting down " + resource.getClass().getSimpleName(), e);
        }
    }
}
