package dev.anvil.server.functions;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * This server's side of the runtime protocol ({@link RuntimeProtocol}): deploys code, pushes the
 * decrypted secrets, and sends invocations, pushing whatever the host says it lacks and retrying
 * once. The host is either a child process ({@link RuntimeProcess}, started on first use) or a
 * remote runtime at {@code DENO_RUNTIME_URL}.
 */
public final class FunctionRuntime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FunctionRuntime.class.getName());
    /** How long a caller waits for a local host that is starting or restarting. */
    private static final Duration START_WAIT = Duration.ofSeconds(15);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Past the function's own timeout, how long the worker gets to answer with its 504; after it
     * this server answers the 504 itself (the worker is busy), and a second later the host
     * replaces the worker.
     */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(1);
    /** Loading code may take up to the timeout; the host answers within it. */
    private static final Duration CONTROL_GRACE = Duration.ofSeconds(10);

    private final RuntimeEndpoint endpoint;
    private final String unavailableReason;
    private final String token;
    private final FunctionSecrets secrets;
    private final Duration timeout;
    private final WebClient http;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    private FunctionRuntime(RuntimeEndpoint endpoint, String unavailableReason, String token, FunctionSecrets secrets,
                            Duration timeout) {
        this.endpoint = endpoint;
        this.unavailableReason = unavailableReason;
        this.token = token;
        this.secrets = secrets;
        this.timeout = timeout;
        this.http = WebClient.builder()
                .followRedirects(false)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(timeout.plus(CONTROL_GRACE))
                .sendExpectContinue(false)
                .maxInMemoryEntity(64 * 1024)
                .build();
    }

    /** A remote runtime when {@code DENO_RUNTIME_URL} is set, else a local child process (started on first use). */
    public static FunctionRuntime create(AnvilConfig config, Path dataDir, FunctionSecrets secrets) {
        Duration timeout = Duration.ofMillis(config.getLong(FunctionSettings.TIMEOUT_MS));
        Optional<String> remote = config.find(FunctionSettings.DENO_RUNTIME_URL);
        if (remote.isPresent()) {
            String url = remote.get().endsWith("/") ? remote.get().substring(0, remote.get().length() - 1) : remote.get();
            return new FunctionRuntime(new RuntimeEndpoint.Remote(URI.create(url)), null,
                    config.find(FunctionSettings.RUNTIME_TOKEN).orElse(""), secrets, timeout);
        }
        DenoInstallation.Lookup lookup = DenoInstallation.locate(config.find(FunctionSettings.DENO_BIN));
        if (lookup.found().isEmpty()) {
            LOG.log(Level.WARNING, "Functions cannot run: " + lookup.problem());
            return new FunctionRuntime(null, lookup.problem(), "", secrets, timeout);
        }
        String token = randomToken();
        List<String> options = List.of(
                "--timeout-ms=" + timeout.toMillis(),
                "--memory-mb=" + config.getInt(FunctionSettings.MEMORY_MB),
                "--max-concurrency=" + config.getInt(FunctionSettings.CONCURRENCY),
                "--workers-per-function=" + config.getInt(FunctionSettings.WORKERS),
                "--max-response-bytes=" + config.getLong(FunctionSettings.MAX_RESPONSE_MB) * 1024 * 1024,
                "--idle-ms=" + config.getLong(FunctionSettings.IDLE_SECONDS) * 1000);
        RuntimeProcess process = new RuntimeProcess(lookup.installation(), options, token,
                dataDir.resolve("deno-cache").toAbsolutePath(), timeout.plusSeconds(5));
        return new FunctionRuntime(process, null, token, secrets, timeout);
    }

    public Duration timeout() {
        return timeout;
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
            Route route = resolve(base, slug, version, code, snapshot);
            routes.put(slug, route);
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
        try (HttpClientResponse response = control(Method.DELETE, base(), RuntimeProtocol.functionPath(slug)).request()) {
            response.entity().consume();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Could not remove function " + slug + " from the runtime: " + e.getMessage());
        }
    }

    /** A request for a function, as the proxy received it. */
    public record Invocation(String method, List<Header> headers, byte[] body, String requestUrl) {
    }

    public record Header(String name, List<String> values) {
    }

    /**
     * Where a function version is served: its workers' own ports for a local runtime (taken in
     * turn), the host's {@code /slug} for a remote one. Valid while the host (its base URI) and the
     * versions match.
     */
    private record Route(URI base, String version, String secretsVersion, List<URI> targets, AtomicInteger turn) {
        boolean serves(URI currentBase, String functionVersion, String currentSecrets) {
            return base.equals(currentBase) && version.equals(functionVersion) && secretsVersion.equals(currentSecrets);
        }

        URI next() {
            return targets.get(Math.floorMod(turn.getAndIncrement(), targets.size()));
        }
    }

    /**
     * Sends an invocation; the caller reads and closes the response.
     *
     * @throws InvocationException when the function gave no response (runtime unreachable, code
     *                             that does not load, or no answer in time)
     */
    public HttpClientResponse invoke(FunctionCatalog.ActiveFunction function, Invocation invocation) {
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
            HttpClientResponse response;
            try {
                if (askingHost) {
                    route = resolve(base, function.slug(), function.version(), function.code(), snapshot);
                    routes.put(function.slug(), route);
                    askingHost = false;
                }
                response = send(route, function, snapshot, invocation);
            } catch (RuntimeException e) {
                if (e instanceof InvocationException failure && failure.status() != 502) {
                    throw failure;
                }
                if (route != null) {
                    routes.remove(function.slug(), route);
                }
                if (causedBy(e, SocketTimeoutException.class)) {
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
            Optional<String> miss = response.status().code() == 409
                    ? response.headers().first(RuntimeProtocol.MISS) : Optional.empty();
            if (miss.isEmpty() || attempt >= 3) {
                return response;
            }
            response.close();
            routes.remove(function.slug(), route);
        }
    }

    /** Asks the host to serve this version (pushing the secrets if it lacks them) and where. */
    private Route resolve(URI base, String slug, String version, String code, FunctionSecrets.Snapshot snapshot) {
        ObjectNode body = Json.object();
        body.put("version", version);
        body.put("code", code);
        body.put("secretsVersion", snapshot.version());
        byte[] payload = Json.bytes(body);
        for (int attempt = 0; ; attempt++) {
            int status;
            JsonNode answer;
            Optional<String> miss;
            try (HttpClientResponse response = control(Method.PUT, base, RuntimeProtocol.functionPath(slug))
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .submit(payload)) {
                status = response.status().code();
                miss = response.headers().first(RuntimeProtocol.MISS);
                answer = readJson(response.inputStream());
            } catch (RuntimeException e) {
                throw InvocationException.unavailable("The function runtime did not answer: " + message(e), e);
            }
            if (status == 200) {
                List<URI> targets = new ArrayList<>();
                if (endpoint instanceof RuntimeProcess) {
                    answer.path("ports").forEach(port -> targets.add(URI.create("http://127.0.0.1:" + port.asInt() + "/")));
                } else {
                    targets.add(base.resolve("/" + slug));
                }
                if (targets.isEmpty()) {
                    throw InvocationException.unavailable("The function runtime answered no port for " + slug, null);
                }
                return new Route(base, version, snapshot.version(), List.copyOf(targets), new AtomicInteger());
            }
            if (status == 409 && attempt == 0 && miss.orElse("").contains("secrets")) {
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
            try (HttpClientResponse response = http.get().uri(base.resolve(RuntimeProtocol.HEALTH_PATH))
                    .readTimeout(HEALTH_TIMEOUT).request()) {
                response.entity().consume();
                return response.status().code() == 200;
            }
        } catch (RuntimeException e) {
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

    private HttpClientResponse send(Route route, FunctionCatalog.ActiveFunction function, FunctionSecrets.Snapshot snapshot,
                                    Invocation invocation) {
        HttpClientRequest request = http.method(Method.create(invocation.method()))
                .uri(route.next())
                .readTimeout(timeout.plus(ANSWER_GRACE))
                .header(RuntimeProtocol.TOKEN, token)
                .header(RuntimeProtocol.FUNCTION_SLUG, function.slug())
                .header(RuntimeProtocol.FUNCTION_VERSION, function.version())
                .header(RuntimeProtocol.SECRETS_VERSION, snapshot.version())
                .header(RuntimeProtocol.REQUEST_URL, invocation.requestUrl())
                .header(RuntimeProtocol.TIMEOUT_MS, Long.toString(timeout.toMillis()));
        for (Header header : invocation.headers()) {
            request.header(HeaderNames.create(header.name()), header.values());
        }
        return invocation.body().length > 0 ? request.submit(invocation.body()) : request.request();
    }

    private void pushSecrets(URI base, FunctionSecrets.Snapshot snapshot) {
        ObjectNode body = Json.object();
        body.put("version", snapshot.version());
        ObjectNode values = body.putObject("values");
        snapshot.values().forEach(values::put);
        try (HttpClientResponse response = control(Method.PUT, base, RuntimeProtocol.SECRETS_PATH)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .submit(Json.bytes(body))) {
            response.entity().consume();
            if (response.status().code() != 204) {
                throw new RuntimeUnavailableException("The function runtime refused the secrets (" + response.status() + ")");
            }
        }
    }

    private HttpClientRequest control(Method method, URI base, String path) {
        return http.method(method).uri(base.resolve(path)).header(RuntimeProtocol.TOKEN, token);
    }

    private static JsonNode readJson(InputStream in) {
        try (in) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? Json.object() : Json.mapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Json.object();
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
            if (current.getMessage() != null && !messages.contains(current.getMessage())) {
                messages.add(current.getMessage());
            }
        }
        return messages.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", messages);
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
        http.closeResource();
    }
}
