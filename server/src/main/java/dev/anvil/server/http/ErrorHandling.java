package dev.anvil.server.http;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.Locale;

import dev.anvil.server.db.PgErrors;
import io.helidon.dbclient.DbClientException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Every error leaves the server as InsForge's body {@code {error, message, statusCode, nextActions?}}:
 * application errors with their own code, Postgres errors through {@link PgErrors}, unknown routes as
 * 404 {@code NOT_FOUND}, and protocol-level failures Helidon answers before routing (bad request
 * line, payload over the listener limit) through direct handlers with the same shape.
 */
public final class ErrorHandling {

    private static final System.Logger LOG = System.getLogger(ErrorHandling.class.getName());

    private ErrorHandling() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(ApiException.class, (req, res, e) -> send(res, e));
        routing.error(SQLException.class, (req, res, e) -> {
            ApiException mapped = PgErrors.toApiException(e);
            if (mapped.status() >= 500) {
                LOG.log(Level.ERROR, "Database error on " + req.prologue().method() + " " + req.path().path(), e);
            }
            send(res, mapped);
        });
        routing.error(NotFoundException.class, (req, res, e) -> notFound(req, res));
        routing.error(HttpException.class, (req, res, e) -> {
            int status = e.status().code();
            send(res, new ApiException(status, codeFor(status), e.getMessage()));
        });
        routing.error(Throwable.class, (req, res, e) -> {
            Throwable cause = unwrap(e);
            if (cause instanceof ApiException api) {
                send(res, api);
                return;
            }
            if (cause instanceof SQLException sql) {
                send(res, PgErrors.toApiException(sql));
                return;
            }
            LOG.log(Level.ERROR, "Unhandled error on " + req.prologue().method() + " " + req.path().path(), e);
            send(res, new ApiException(500, "INTERNAL_ERROR",
                    cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        });
    }

    /** Anything no route claimed (Helidon raises NotFoundException for it). */
    public static void notFound(ServerRequest req, ServerResponse res) {
        send(res, new ApiException(404, "NOT_FOUND", "Endpoint " + req.path().path() + " not found"));
    }

    public static void send(ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return;
        }
        Json.send(res, e.status(), ErrorBody.of(e));
    }

    /** Direct handlers answer errors Helidon raises before a request reaches routing. */
    /** @param requestLineLimit the listener's longest request line, named in a 414's advice */
    public static DirectHandlers directHandlers(int requestLineLimit) {
        String uriTooLongAdvice = "The request line is limited to " + requestLineLimit / 1024 + " KiB: split a long "
                + "in.(...) filter over several requests, or move the selection into a database function and call it with POST /rpc.";
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, (request, eventType, status, headers, message) -> {
                int code = status.code();
                byte[] body = ErrorBody.bytes(code, codeFor(code), message == null ? status.reasonPhrase() : message,
                        code == 414 ? uriTooLongAdvice : null);
                return DirectHandler.TransportResponse.builder()
                        .status(status)
                        .headers(headers)
                        .header(HeaderNames.CONTENT_TYPE, Json.CONTENT_TYPE)
                        .entity(body)
                        .keepAlive(eventType.keepAlive())
                        .build();
            });
        }
        return builder.build();
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "INVALID_INPUT";
            case 401 -> "AUTH_UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 414 -> "URI_TOO_LONG";
            case 429 -> "TOO_MANY_REQUESTS";
            case 501 -> "NOT_IMPLEMENTED";
            default -> status >= 500 ? "INTERNAL_ERROR" : Status.create(status).reasonPhrase()
                    .toUpperCase(Locale.ROOT).replace(' ', '_');
        };
    }

    /**
     * Looks through wrappers to the failure that means something: JDK wrappers (CompletionException,
     * UncheckedIOException …) and Helidon DbClient's DbClientException, which wraps the SQLException
     * whose SQLSTATE decides the answer (a unique violation is a 409, not a 500).
     */
    private static Throwable unwrap(Throwable e) {
        Throwable current = e;
        while (current.getCause() != null && current.getCause() != current
                && (current instanceof RuntimeException) && !(current instanceof ApiException)
                && (current.getClass().getName().startsWith("java.") || current instanceof DbClientException)) {
            current = current.getCause();
        }
        return current;
    }
}
