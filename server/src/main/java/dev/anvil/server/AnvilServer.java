package dev.anvil.server;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
import dev.anvil.server.platform.DatabaseHealthCheck;
import dev.anvil.server.platform.HealthService;
import dev.anvil.server.realtime.Realtime;
import dev.anvil.server.records.RecordsEngine;
import dev.anvil.server.records.RecordsService;
import dev.anvil.server.platform.PlatformDomain;
import dev.anvil.server.platform.PlatformSettings;
import dev.anvil.server.platform.logs.RecentLogRecords;
import dev.anvil.server.secrets.EncryptionKeyFile;
import dev.anvil.server.secrets.KeyBootstrap;
import dev.anvil.server.secrets.KeyRotation;
import dev.anvil.server.secrets.SecretCipher;
import dev.anvil.server.secrets.SecretStore;
import dev.anvil.server.storage.Storage;
import dev.anvil.server.secrets.SecretsService;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * Assembles one Anvil server: database (external, or embedded when none is configured) →
 * migrations → instance keys → domain services → HTTP. Everything a request needs is built here
 * and handed to the services through their constructors, so the wiring reads top to bottom.
 */
public final class AnvilServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AnvilServer.class.getName());

    /** Above the largest upload storage allows (200 MiB); JSON bodies have their own, lower limit. */
    private static final long LISTENER_PAYLOAD_LIMIT = 256L * 1024 * 1024;

    private final AnvilConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Database database;
    private SecretStore secrets;
    private Credentials credentials;
    private KeyBootstrap.Result keys;
    private AuthDomain auth;
    private Storage storage;
    private Realtime realtime;
    private RecordsEngine records;
    private RecentLogRecords recentLogs;
    private Optional<Path> postgresLog = Optional.empty();
    private WebServer webServer;
    private String baseUrl;
    private Functions functions;
    private KeyRotation keyRotation;

    private AnvilServer(AnvilConfig config) {
        this.config = config;
    }

    public static AnvilServer start(AnvilConfig config) {
        AnvilServer server = new AnvilServer(config);
        try {
            server.startInternal();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startInternal() {
        // First, so /api/logs shows how the start went.
        recentLogs = RecentLogRecords.install(config.getInt(PlatformSettings.LOG_BUFFER_RECORDS));
        track(recentLogs);
        Path dataDir = Path.of(config.get(CoreSettings.DATA_DIR));
        // The data side (Postgres — a child process when embedded —, migrations, keys) comes up on
        // another thread while this one prepares the HTTP side; on two cores that halves startup.
        CompletableFuture<Void> dataSide = CompletableFuture.runAsync(() -> startDataSide(dataDir));
        // Jackson builds its serializers on first use; pay that now, in parallel, not on the first request.
        CompletableFuture<Void> jsonWarmUp = CompletableFuture.runAsync(HealthService::warmUp);
        ObserveFeature observe = observeFeature();
        try {
            jsonWarmUp.join();
            dataSide.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }

        long maxBodyBytes = config.getLong(CoreSettings.MAX_BODY_MB) * 1024 * 1024;
        WebServerConfig.Builder builder = WebServer.builder()
                .host(config.get(CoreSettings.HOST))
                .port(config.getInt(CoreSettings.PORT))
                .maxPayloadSize(Math.max(Math.max(LISTENER_PAYLOAD_LIMIT, maxBodyBytes), storage.maxRequestBytes()))
                .directHandlers(ErrorHandling.directHandlers())
                .shutdownHook(false)
                // Only the features added here: Helidon would otherwise also discover the access log
                // on the classpath and log every request even with ANVIL_ACCESS_LOG=false.
                .featuresDiscoverServices(false)
                .addFeature(observe)
                .routing(routing -> routing(routing, new BodyLimit(maxBodyBytes)))
                .addRouting(realtime.wsRouting())
                .addProtocol(realtime.wsConfig());
        if (config.getBoolean(CoreSettings.ACCESS_LOG)) {
            builder.addFeature(AccessLogFeature.builder().commonLogFormat().build());
        }
        webServer = builder.build().start();
        if (!webServer.isRunning() || webServer.port() < 0) {
            // Helidon logs a bind failure and returns; a server that cannot listen must not look started.
            throw new IllegalStateException("HTTP listener could not start on " + config.get(CoreSettings.HOST) + ":"
                    + config.get(CoreSettings.PORT) + " (is the port in use?)");
        }
        baseUrl = config.find(CoreSettings.API_BASE_URL)
                .map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url)
                .orElse("http://localhost:" + webServer.port());
        KeyBootstrap.ensureServiceUrls(secrets, baseUrl, internalUrl());
        functions.startRuntimeIfFunctionsExist();
    }

    /** How functions (and other in-cluster callers) reach this server: ANVIL_INTERNAL_URL, else loopback. */
    private String internalUrl() {
        return config.find(FunctionSettings.INTERNAL_URL).orElseGet(() -> {
            String host = config.get(CoreSettings.HOST);
            boolean anyAddress = host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost");
            return "http://" + (anyAddress ? "127.0.0.1" : host) + ":" + webServer.port();
        });
    }

    private void startDataSide(Path dataDir) {
        DatabaseLocation location = DatabaseLocation.fromConfig(config).orElseGet(() -> {
            EmbeddedDatabase embedded = EmbeddedDatabase.start(dataDir, config.getInt(DatabaseSettings.EMBEDDED_PORT));
            track(embedded);
            postgresLog = Optional.of(EmbeddedDatabase.logFile(dataDir));
            return embedded.location();
        });
        database = Database.connect(location, config.getInt(DatabaseSettings.POOL_SIZE));
        track(database);
        Migrations.migrate(database.dataSource());

        EncryptionKeyFile.KeyMaterial keyMaterial = EncryptionKeyFile.resolve(config, dataDir);
        secrets = new SecretStore(database.client(), SecretCipher.fromKeyMaterial(keyMaterial.material()));
        keys = KeyBootstrap.run(config, secrets, database.dataSource(), keyMaterial.source());

        Clock clock = Clock.systemUTC();
        AccessTokens accessTokens = new AccessTokens(SigningKeys.load(secrets),
                config.getSeconds(AuthSettings.ACCESS_TOKEN_TTL), clock, AuthSettings.clockSkew(config));
        ProjectKeys projectKeys = new ProjectKeys(secrets, clock);
        credentials = new Credentials(projectKeys, accessTokens);
        storage = Storage.start(config, dataDir, database.dataSource(), keys.jwtSecret());
        track(storage);
        keyRotation = new KeyRotation(database.client(), secrets.cipher(), clock, projectKeys::reload);
        functions = Functions.create(config, dataDir, database.client(), secrets, clock, () -> baseUrl, this::internalUrl);
        track(functions);
        realtime = new Realtime(config, database, credentials);
        records = RecordsEngine.start(config, database);
        track(records);
    }

    /** Resources close in reverse order of creation: the pool before the database it talks to. */
    private void track(AutoCloseable resource) {
        synchronized (resources) {
            resources.add(0, resource);
        }
    }

    /** Helidon's health (with a database readiness check) and Prometheus metrics under /observe. */
    private ObserveFeature observeFeature() {
        return ObserveFeature.builder()
                .endpoint("/observe")
                .addObserver(HealthObserver.builder()
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(new DatabaseHealthCheck(() -> database.dataSource()))
                        .build())
                .addObserver(MetricsObserver.create())
                .build();
    }

    private void routing(HttpRouting.Builder routing, BodyLimit bodyLimit) {
        routing.addFilter(new CorsFilter());
        routing.addFilter(bodyLimit.filter());
        routing.addFilter(new ClientAddress(config.getInt(HttpSettings.TRUSTED_PROXY_HOPS)).filter());
        PlatformDomain platform = PlatformDomain.create(config, database, credentials, recentLogs, postgresLog);
        routing.addFilter(platform.auditLog().filter());
        ErrorHandling.register(routing);
        routing.register("/api", new HealthService());
        DatabaseAdminApi.register(routing, config, database, credentials);
        auth = AuthDomain.create(config, database.client(), secrets.cipher(), credentials, Clock.systemUTC(), this::baseUrl);
        auth.register(routing);
        OAuth.create(config, database.client(), secrets, credentials, auth, Clock.systemUTC(), this::baseUrl).register(routing);
        routing.register("/api/storage", storage.services(credentials, this::baseUrl));
        routing.register("/api/secrets", new SecretsService(credentials, secrets, keyRotation, functions::secretsChanged));
        routing.register("/api/functions", functions.adminService(credentials));
        routing.register("/functions", functions.invocationService());
        realtime.routing(routing);
        RecordsService.register(routing, config, credentials, records);
        platform.register(routing, auth::metadata);
    }

    public int port() {
        return webServer.port();
    }

    /** The public base URL (API_BASE_URL, or http://localhost:port). */
    public String baseUrl() {
        return baseUrl;
    }

    public Database database() {
        return database;
    }

    public SecretStore secrets() {
        return secrets;
    }

    public Credentials credentials() {
        return credentials;
    }

    public AuthDomain auth() {
        return auth;
    }

    public Functions functions() {
        return functions;
    }

    /** The records engine (its schema cache reloads on {@code NOTIFY pgrst} or {@link RecordsEngine#reloadSchemaCache()}). */
    public RecordsEngine records() {
        return records;
    }

    /** True when this start generated the admin and anon keys (the instance's first start). */
    public boolean generatedAccessKeys() {
        return keys != null && keys.generatedAccessKeys();
    }

    @Override
    public void close() {
        if (realtime != null) {
            // Before the listener stops: sockets get their shutdown notice and presence is released.
            realtime.close();
            realtime = null;
        }
        if (webServer != null) {
            webServer.stop();
        }
        List<AutoCloseable> toClose;
        synchronized (resources) {
            toClose = new ArrayList<>(resources);
        }
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Error while shutting down " + resource.getClass().getSimpleName(), e);
            }
        }
        resources.clear();
    }
}
