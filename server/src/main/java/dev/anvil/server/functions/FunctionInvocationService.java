package dev.anvil.server.functions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.anvil.server.http.Json;
import dev.anvil.server.http.RequestBody;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /functions/{slug}} (contract §5.2): any method, no credential check — the function
 * decides. Method, headers, query and body go to the runtime; its status, headers and bytes come
 * back with {@code Access-Control-Allow-Origin: *}. Errors are InsForge's bare {@code {error}}:
 * 404 for an unknown or inactive function, 502 when the runtime cannot be reached, and the
 * runtime's own 504 (timeout), 429 (concurrency) and 500 (a throw).
 */
public final class FunctionInvocationService implements HttpService {

    private static final System.Logger LOG = System.getLogger(FunctionInvocationService.class.getName());
    /** Hop-by-hop headers and those the proxy sets itself never cross it. */
    private static final Set<String> REQUEST_SKIPPED = Set.of("host", "connection", "keep-alive", "content-length",
            "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "expect");
    private static final Set<String> RESPONSE_SKIPPED = Set.of("connection", "keep-alive", "content-length",
            "transfer-encoding", "te", "trailer", "upgrade", "date");
    /** Bodies up to this size are buffered and sent with a length; larger ones stream. */
    private static final long BUFFER_LIMIT = 1024 * 1024;

    private final FunctionCatalog catalog;
    private final FunctionRuntime runtime;
    private final long maxResponseBytes;

    FunctionInvocationService(FunctionCatalog catalog, FunctionRuntime runtime, long maxResponseBytes) {
        this.catalog = catalog;
        this.runtime = runtime;
        this.maxResponseBytes = maxResponseBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/{slug}", this::invoke);
    }

    private void invoke(ServerRequest req, ServerResponse res) {
        String slug = req.path().pathParameters().get("slug");
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        if (!FunctionSlugs.valid(slug)) {
            error(res, 400, "Invalid function slug \"" + slug + "\": use letters, digits, '-' and '_'");
            return;
        }
        var function = catalog.active(slug);
        if (function.isEmpty()) {
            error(res, 404, "Function not found or not active");
            return;
        }
        String query = req.query().rawValue();
        FunctionRuntime.Invocation invocation = new FunctionRuntime.Invocation(req.prologue().method().text(),
                forwardedHeaders(req), RequestBody.bytes(req), query == null || query.isEmpty() ? null : query);
        try (KeepAliveClient.Response response = runtime.invoke(function.get(), invocation)) {
            relay(response, res);
        } catch (InvocationException e) {
            if (e.status() == 502) {
                LOG.log(Level.WARNING, "Function " + slug + ": " + e.getMessage());
            }
            error(res, e.status(), e.getMessage());
        }
    }

    private static List<FunctionRuntime.Header> forwardedHeaders(ServerRequest req) {
        List<FunctionRuntime.Header> headers = new ArrayList<>();
        for (Header header : req.headers()) {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (!REQUEST_SKIPPED.contains(name) && !name.startsWith("x-anvil-")) {
                headers.add(new FunctionRuntime.Header(header.name(), header.allValues()));
            }
        }
        return headers;
    }

    /**
     * Copies the function's answer to the client. Bodies of known size up to 1 MiB are read first,
     * so a runtime failing mid-body still gets a clean 502; larger ones stream. The size limit is
     * applied here: a declared length over it is refused before anything is sent, a streamed body
     * that grows past it is cut off.
     */
    private void relay(KeepAliveClient.Response response, ServerResponse res) {
        long length = response.contentLength();
        if (length > maxResponseBytes) {
            throw InvocationException.oversized(maxResponseBytes);
        }
        byte[] buffered = null;
        if (length >= 0 && length <= BUFFER_LIMIT) {
            try {
                buffered = response.readAll();
            } catch (IOException | UncheckedIOException e) {
                throw InvocationException.unavailable("The function runtime failed while answering: " + e.getMessage(), e);
            }
        }
        res.status(Status.create(response.status()));
        response.headers().forEach((name, values) -> {
            if (!RESPONSE_SKIPPED.contains(name)) {
                res.header(HeaderNames.create(name), values.toArray(String[]::new));
            }
        });
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        if (buffered != null) {
            res.send(buffered);
            return;
        }
        if (length >= 0) {
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(length));
        }
        try (InputStream in = response.body(); OutputStream out = res.outputStream()) {
            byte[] chunk = new byte[16 * 1024];
            long sent = 0;
            int n;
            while ((n = in.read(chunk)) != -1) {
                sent += n;
                if (sent > maxResponseBytes) {
                    throw new IOException("Function response is larger than the limit of " + maxResponseBytes + " bytes");
                }
                out.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // Headers are out; all that can be done is to cut the response short.
            throw new UncheckedIOException(e);
        }
    }

    private static void error(ServerResponse res, int status, String message) {
        Json.send(res, status, Map.of("error", message));
    }
}
