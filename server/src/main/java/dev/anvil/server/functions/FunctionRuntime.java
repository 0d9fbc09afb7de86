package dev.anvil.server.functions;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.config.CoreSettings;
import dev.anvil.server.http.CorsFilter;
import dev.anvil.server.http.Json;

/**
 * This server's side of the runtime protocol ({@link RuntimeProtocol}): asks the host to serve a
 * function version (pushing the decrypted secrets when it lacks them), then sends invocations
 * straight to the port the function's worker serves on. The host is either a child process
 * ({@link RuntimeProcess}, started on first use) or a remote runtime at {@code DENO_RUNTIME_URL},
 * which is called at {@code /slug} and forwards.
 *
 * <p>A local host can also serve every active function itself on a public port (see
 * {@code subhosting.ts}), which clients call without this server in between: each host that
 * starts is given every active function for it ({@link #whenHostStarts}), and secret changes are
 * pushed at once ({@link #secretsChanged}) rather than on the next proxied call.
 *
 * <p>HTTP goes through {@link KeepAliveClient}: Helidon's WebClient watches each idle connection
 * with a timed blocking read that the next request has to wait out (a few hundred calls a second),
 * and the JDK's client hands every answer across threads several times.
 */
public final class FunctionRuntime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FunctionRuntime.class.getName());
    /** How long a caller waits for a local host that is starting or restarting. */
    private static final Duration START_WAIT = Duration.ofSeconds(15);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Past the function's own timeout, how long the worker gets to answer with its 504; after it
     * this server answers the 504 itself (the worker is busy), and the host later replaces the worker.
     */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(1);
    /** Loading code may take up to the timeout; the host answers within it. */
    private static final Duration CONTROL_GRACE = Duration.ofSeconds(10);
    private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::", "[::]", "");

    private final RuntimeEndpoint endpoint;
    private final String unavailableReason;
    private final String token;
    private final FunctionSecrets secrets;
    private final Duration timeout;
    private final KeepAliveClient http = new KeepAliveClient(Duration.ofSeconds(5));
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> resolving = new ConcurrentHashMap<>();
    /** Host name of the public listener's URL; null when there is none. */
    private final String directHost;
    private volatile URI directUrl;
    private volatile Consumer<URI> onHostStart = base -> {
    };

    private FunctionRuntime(RuntimeEndpoint endpoint, String unavailableReason, String token, FunctionSecrets secrets,
                            Duration timeout, String directHost) {
        this.endpoint = endpoint;
        this.unavailableReason = unavailableReason;
        this.token = token;
        this.secrets = secrets;
        this.timeout = timeout;
        this.directHost = directHost;
        if (endpoint instanceof RuntimeProcess process && directHost != null) {
            process.events(new DirectListenerEvents());
        }
    }

    /** What the local host reports about its public listener, logged for operators and kept for {@link #directUrl}. */
    private final class DirectListenerEvents implements RuntimeProcess.Events {
        @Override
        public void hostStarted(URI endpoint) {
            onHostStart.accept(endpoint);
        }

        @Override
        public void directListening(int port) {
            URI url = URI.create("http://" + directHost + ":" + port);
            if (!url.equals(directUrl)) {
                LOG.log(Level.INFO, "Functions served directly at " + url + " (pass it as functionsUrl to createClient)");
            }
            directUrl = url;
        }

        @Override
        public void directUnavailable(String reason) {
            directUrl = null;
            LOG.log(Level.WARNING, "Functions cannot be served directly (ANVIL_FUNCTIONS_PORT): " + reason
                    + "; they stay reachable through /functions/:slug");
        }
    }

    /** A remote runtime when {@code DENO_RUNTIME_URL} is set, else a local child process (started on first use). */
    public static FunctionRuntime create(AnvilConfig config, Path dataDir, FunctionSecrets secrets) {
        Duration timeout = Duration.ofMillis(config.getLong(FunctionSettings.TIMEOUT_MS));
        Optional<String> remote = config.find(FunctionSettings.DENO_RUNTIME_URL);
        if (remote.isPresent()) {
            String url = remote.get().endsWith("/") ? remote.get().substring(0, remote.get().length() - 1) : remote.get();
            // Runtime pods would expose their own public port; that is the operator's to set up.
            return new FunctionRuntime(new RuntimeEndpoint.Remote(URI.create(url)), null,
                    config.find(FunctionSettings.RUNTIME_TOKEN).orElse(""), secrets, timeout, null);
        }
        DenoInstallation.Lookup lookup = DenoInstallation.locate(config.find(FunctionSettings.DENO_BIN));
        if (lookup.found().isEmpty()) {
            LOG.log(Level.WARNING, "Functions cannot run: " + lookup.problem());
            return new FunctionRuntime(null, lookup.problem(), "", secrets, timeout, null);
        }
        String token = randomToken();
        List<String> options = new ArrayList<>(List.of(
                "--timeout-ms=" + timeout.toMillis(),
                "--memory-mb=" + config.getInt(FunctionSettings.MEMORY_MB),
                "--max-concurrency=" + config.getInt(FunctionSettings.CONCURRENCY),
                "--workers-per-function=" + config.getInt(FunctionSettings.WORKERS),
                "--idle-ms=" + config.getLong(FunctionSettings.IDLE_SECONDS) * 1000));
        String directHost = null;
        String directPort = config.get(FunctionSettings.DIRECT_PORT).strip();
        if (!directPort.equalsIgnoreCase("off")) {
            String bindHost = config.get(CoreSettings.HOST);
            options.addAll(List.of(
                    "--public-port=" + config.getInt(FunctionSettings.DIRECT_PORT),
                    "--public-hostname=" + bindHost,
                    "--public-workers=" + config.getInt(FunctionSettings.DIRECT_WORKERS),
                    "--public-cors-exposed=" + CorsFilter.EXPOSED,
                    "--public-cors-methods=" + CorsFilter.ALLOWED_METHODS,
                    "--public-cors-headers=" + CorsFilter.DEFAULT_ALLOWED_HEADERS));
            directHost = WILDCARD_HOSTS.contains(bindHost) ? "localhost" : bindHost.contains(":") ? "[" + bindHost + "]" : bindHost;
        }
        RuntimeProcess process = new RuntimeProcess(lookup.installation(), options, token,
                dataDir.resolve("deno-cache").toAbsolutePath(), timeout.plusSeconds(5));
        return new FunctionRuntime(process, null, token, secrets, timeout, directHost);
    }

    /** Where the local host serves every active function itself (the SDK's {@code functionsUrl}), once it does. */
    public Optional<URI> directUrl() {
        return Optional.ofNullable(directUrl);
    }

    /** {@code fill} runs (on its own thread) each time a host with a public listener starts, with the host's URI. */
    void whenHostStarts(Consumer<URI> fill) {
        this.onHostStart = fill;
    }

    /**
     * Loads a function version into a host that just started, for its public listener, unless a
     * deploy already put one there; starts no worker of the function's own.
     */
    Deployment fill(URI host, String slug, String version, String code) {
        try {
            resolve(host, slug, version, code, secrets.current(), false);
            return Deployment.ready();
        } catch (InvocationException e) {
            return new Deployment(e.status() == 500 ? Deployment.Status.FAILED : Deployment.Status.UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * A secret changed: a host with a public listener gets the new set now, since calls made to it
     * directly never pass here. Best effort; a host that is down gets them with its next push.
     */
    public void secretsChanged() {
        if (directHost == null || endpoint == null || !endpoint.started()) {
            return;
        }
        try {
            pushSecrets(base(), secrets.current());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not push the changed secrets to the function runtime: " + e.getMessage());
        }
    }

    /** The outcome of installing a function version in the runtime. */
    public record Deployment(Status status, String message) {
        public enum Status { READY, FAILED, UNAVAILABLE }

        static Deployment ready() {
            return new Deployment(Status.READY, null);
        }
    }

    /**
     * Installs and warms a function version: the host evaluates the code in a worker, so a syntax
     * error, a throw at load or a missing export comes back as {@link Deployment.Status#FAILED}.
     */
    public Deployment deploy(String slug, String version, String code) {
        try {
            URI base = base();
            FunctionSecrets.Snapshot snapshot = secrets.current();
            routes.put(slug, resolve(base, slug, version, code, snapshot, true));
            return Deployment.ready();
        } catch (RuntimeUnavailableException e) {
            return new Deployment(Deployment.Status.UNAVAILABLE, e.getMessage());
        } catch (InvocationException e) {
            return new Deployment(e.status() == 500 ? Deployment.Status.FAILED : Deployment.Status.UNAVAILABLE,
                    e.getMessage());
        }
    }

    /** Frees the function's workers in the runtime; best effort (a host that is down has none). */
    public void remove(String slug) {
        routes.remove(slug);
        if (endpoint == null || !endpoint.started()) {
            return;
        }
        try {
            http.send(control("DELETE", base(), RuntimeProtocol.functionPath(slug), null)).close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "Could not remove function " + slug + " from the runtime: " + e.getMessage());
        }
    }

    /** A request for a function, as the proxy received it; {@code query} is raw, or null. */
    public record Invocation(String method, List<Header> headers, byte[] body, String query) {
    }

    public record Header(String name, List<String> values) {
    }

    /**
     * Where a function version is served: its workers' own ports for a local runtime (taken in
     * turn), the host's {@code /slug} for a remote one. Valid while the host (its base URI) and the
     * versions match.
     */
    private record Route(URI base, String version, String secretsVersion, List<Target> targets, AtomicInteger turn) {
        boolean serves(URI currentBase, String functionVersion, String currentSecrets) {
            return base.equals(currentBase) && version.equals(functionVersion) && secretsVersion.equals(currentSecrets);
        }

        Target next() {
            return targets.get(Math.floorMod(turn.getAndIncrement(), targets.size()));
        }
    }

    /** A worker's port and the id it checks (a local runtime), or the host's {@code /slug} (a remote one). */
    private record Target(URI uri, String routeId, boolean viaHost) {
    }

    /**
     * Sends an invocation; the caller reads and closes the answer.
     *
     * @throws InvocationException when the function gave no response (runtime unreachable, code
     *                             that does not load, or no answer in time)
     */
    KeepAliveClient.Response invoke(FunctionCatalog.ActiveFunction function, Invocation invocation) {
        URI refusedHost = null;
        for (int attempt = 0; ; attempt++) {
            URI base;
            try {
                base = endpoint == null ? base() : endpoint.awaitOther(refusedHost, START_WAIT);
            } catch (RuntimeUnavailableException e) {
                throw InvocationException.unavailable(e.getMessage(), e);
            }
            FunctionSecrets.Snapshot snapshot = secrets.current();
            Route route = routes.get(function.slug());
            boolean askingHost = route == null || !route.serves(base, function.version(), snapshot.version());
            KeepAliveClient.Response response;
            try {
                if (askingHost) {
                    route = resolveOnce(base, function, snapshot);
                    askingHost = false;
                }
                response = http.send(request(route.next(), function, snapshot, invocation));
            } catch (IOException | RuntimeException e) {
                if (e instanceof InvocationException failure && failure.status() != 502) {
                    throw failure;
                }
                if (route != null) {
                    routes.remove(function.slug(), route);
                }
                if (e instanceof SocketTimeoutException) {
                    // The function held its worker's thread past the timeout. The route is dropped:
                    // the host takes a silent worker out of service when asked for it next.
                    throw InvocationException.timeout();
                }
                // Refused: whoever was called is gone and never saw the request, so asking again is
                // safe — a dead worker is replaced by the host, a dead host by its supervisor.
                // Anything else (a reset mid-call) may have run the function and is not repeated.
                if (attempt < 3 && causedBy(e, ConnectException.class)) {
                    if (askingHost) {
                        refusedHost = base;
                    }
                    continue;
                }
                throw e instanceof InvocationException failure ? failure
                        : InvocationException.unavailable("The function runtime failed during the invocation: " + message(e), e);
            }
            boolean miss = response.status() == 409 && response.header(RuntimeProtocol.MISS.lowerCase()) != null;
            if (!miss || attempt >= 3) {
                return response;
            }
            response.close();
            routes.remove(function.slug(), route);
        }
    }

    /** Callers that need the same route at once ask the host once: the first asks, the others wait for its answer. */
    private Route resolveOnce(URI base, FunctionCatalog.ActiveFunction function, FunctionSecrets.Snapshot snapshot) {
        ReentrantLock lock = resolving.computeIfAbsent(function.slug(), slug -> new ReentrantLock());
        lock.lock();
        try {
            Route current = routes.get(function.slug());
            if (current != null && current.serves(base, function.version(), snapshot.version())) {
                return current;
            }
            Route route = resolve(base, function.slug(), function.version(), function.code(), snapshot, true);
            routes.put(function.slug(), route);
            return route;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks the host to serve this version (pushing the secrets if it lacks them) and where; with
     * {@code warm} false only to hold it for its public listener (no route: null).
     */
    private Route resolve(URI base, String slug, String version, String code, FunctionSecrets.Snapshot snapshot,
                          boolean warm) {
        ObjectNode body = Json.object();
        body.put("version", version);
        body.put("code", code);
        body.put("secretsVersion", snapshot.version());
        if (!warm) {
            body.put("warm", false);
        }
        byte[] payload = Json.bytes(body);
        for (int attempt = 0; ; attempt++) {
            Control response = sendControl(control("PUT", base, RuntimeProtocol.functionPath(slug), payload));
            JsonNode answer = response.json();
            int status = response.status();
            if (status == 200 && !warm) {
                return null;
            }
            if (status == 200) {
                List<Target> targets = new ArrayList<>();
                if (endpoint instanceof RuntimeProcess) {
                    answer.path("workers").forEach(worker -> targets.add(new Target(
                            URI.create("http://127.0.0.1:" + worker.path("port").asInt() + "/functions/" + slug),
                            worker.path("route").asText(), false)));
                } else {
                    targets.add(new Target(base.resolve("/" + slug), null, true));
                }
                if (targets.isEmpty()) {
                    throw InvocationException.unavailable("The function runtime answered no port for " + slug, null);
                }
                return new Route(base, version, snapshot.version(), List.copyOf(targets), new AtomicInteger());
            }
            if (status == 409 && attempt == 0 && response.miss().contains("secrets")) {
                pushSecrets(base, snapshot);
                continue;
            }
            String error = answer.path("error").asText("The function runtime answered " + status);
            if (status == 422) {
                throw InvocationException.loadFailed(error);
            }
            throw InvocationException.unavailable(error, null);
        }
    }

    /** "running" when the host answers its health check (a local host is started for the check). */
    public boolean healthy() {
        if (endpoint == null) {
            return false;
        }
        try {
            URI base = endpoint.await(START_WAIT);
            try (KeepAliveClient.Response response = http.send(new KeepAliveClient.Request("GET",
                    base.resolve(RuntimeProtocol.HEALTH_PATH), List.of(), new byte[0], HEALTH_TIMEOUT))) {
                response.readAll();
                return response.status() == 200;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Starts a local host now (in the background) rather than on first use. */
    public void startInBackground() {
        if (endpoint != null && !endpoint.started()) {
            Thread.ofVirtual().name("function-runtime-start").start(() -> {
                try {
                    endpoint.await(START_WAIT);
                } catch (RuntimeUnavailableException e) {
                    LOG.log(Level.WARNING, e.getMessage());
                }
            });
        }
    }

    /** The local host's process id (empty for a remote runtime or a host not started). */
    public OptionalLong localPid() {
        return endpoint instanceof RuntimeProcess process ? process.pid() : OptionalLong.empty();
    }

    private URI base() {
        if (endpoint == null) {
            throw new RuntimeUnavailableException(unavailableReason);
        }
        return endpoint.await(START_WAIT);
    }

    private KeepAliveClient.Request request(Target target, FunctionCatalog.ActiveFunction function,
                                            FunctionSecrets.Snapshot snapshot, Invocation invocation) {
        List<Entry<String, String>> headers = new ArrayList<>(invocation.headers().size() + 6);
        for (Header header : invocation.headers()) {
            for (String value : header.values()) {
                headers.add(Map.entry(header.name(), value));
            }
        }
        URI uri = target.uri();
        if (invocation.query() != null) {
            uri = URI.create(uri + "?" + invocation.query());
        }
        if (target.viaHost()) {
            // The host checks what it serves against the versions, and needs its token.
            headers.add(Map.entry(RuntimeProtocol.TOKEN.defaultCase(), token));
            headers.add(Map.entry(RuntimeProtocol.FUNCTION_VERSION.defaultCase(), function.version()));
            headers.add(Map.entry(RuntimeProtocol.SECRETS_VERSION.defaultCase(), snapshot.version()));
        } else {
            // A worker gets no token (the function sees its request headers), only its route id.
            headers.add(Map.entry(RuntimeProtocol.ROUTE.defaultCase(), target.routeId()));
        }
        return new KeepAliveClient.Request(invocation.method(), uri, headers, invocation.body(), timeout.plus(ANSWER_GRACE));
    }

    /** A control call's answer, read in full. */
    private record Control(int status, String miss, byte[] body) {
        JsonNode json() {
            try {
                return body.length == 0 ? Json.object() : Json.mapper().readTree(body);
            } catch (IOException e) {
                return Json.object();
            }
        }
    }

    private void pushSecrets(URI base, FunctionSecrets.Snapshot snapshot) {
        ObjectNode body = Json.object();
        body.put("version", snapshot.version());
        ObjectNode values = body.putObject("values");
        snapshot.values().forEach(values::put);
        Control response = sendControl(control("PUT", base, RuntimeProtocol.SECRETS_PATH, Json.bytes(body)));
        if (response.status() != 204) {
            throw InvocationException.unavailable("The function runtime refused the secrets (" + response.status() + ")", null);
        }
    }

    private KeepAliveClient.Request control(String method, URI base, String path, byte[] json) {
        List<Entry<String, String>> headers = new ArrayList<>(List.of(Map.entry(RuntimeProtocol.TOKEN.defaultCase(), token)));
        if (json != null) {
            headers.add(Map.entry("Content-Type", "application/json"));
        }
        return new KeepAliveClient.Request(method, base.resolve(path), headers, json == null ? new byte[0] : json,
                timeout.plus(CONTROL_GRACE));
    }

    /** A control call; failures to reach the host keep their cause (a refused connection is retried). */
    private Control sendControl(KeepAliveClient.Request request) {
        try (KeepAliveClient.Response response = http.send(request)) {
            String miss = response.header(RuntimeProtocol.MISS.lowerCase());
            return new Control(response.status(), miss == null ? "" : miss, response.readAll());
        } catch (IOException e) {
            throw InvocationException.unavailable("The function runtime did not answer: " + message(e), e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable current = e; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return true;
            }
        }
        return false;
    }

    private static String message(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable current = e; current != null && messages.size() < 3; current = current.getCause()) {
            String text = current.getMessage() != null ? current.getMessage() : current.getClass().getSimpleName();
            if (!messages.contains(text)) {
                messages.add(text);
            }
        }
        return String.join(": ", messages);
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        http.close();
    }
}
