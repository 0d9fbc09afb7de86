package dev.anvil.server.records.exec;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.records.PgrstError;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Postgres errors as PostgREST answers them: the SQLSTATE as {@code code}, Postgres' message, detail
 * and hint, and PostgREST 12's status table (23505 → 409, 42501 → 401 for anon / 403 otherwise,
 * {@code PTxyz} → xyz, {@code RAISE SQLSTATE 'PGRST'} with a JSON message and detail for full
 * control, class 42 → 400 except 42883/42P01 → 404 …).
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    public static PgrstError toPgrst(SQLException e, boolean authenticated) {
        if (e instanceof SQLTransientConnectionException) {
            return new PgrstError(504, "PGRST003", "Timed out acquiring connection from connection pool.", null, null);
        }
        ServerErrorMessage server = e instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (server == null) {
            if (state.startsWith("08") || state.isEmpty()) {
                return new PgrstError(503, "PGRST001", "Database client error. Retrying the connection.",
                        e.getMessage(), null);
            }
            return new PgrstError(statusFor(state, e.getMessage(), authenticated), state, e.getMessage(), null, null);
        }
        String message = server.getMessage() == null ? "" : server.getMessage();
        if ("PGRST".equals(state)) {
            return raised(message, server.getDetail());
        }
        int status = statusFor(state, message, authenticated);
        Map<String, String> headers = status == 401 ? Map.of("WWW-Authenticate", "Bearer") : Map.of();
        return new PgrstError(status, state, message, text(server.getDetail()), text(server.getHint()), headers);
    }

    private static JsonNode text(String value) {
        return value == null ? null : TextNode.valueOf(value);
    }

    /** {@code RAISE SQLSTATE 'PGRST' USING message = '{"code":…}', detail = '{"status":…,"headers":{…}}'}. */
    private static PgrstError raised(String message, String detail) {
        try {
            JsonNode body = Json.mapper().readTree(message);
            JsonNode response = Json.mapper().readTree(detail == null ? "" : detail);
            if (body == null || !body.isObject() || !body.path("code").isTextual() || !body.path("message").isTextual()
                    || response == null || !response.path("status").canConvertToInt()) {
                throw new IllegalArgumentException();
            }
            Map<String, String> headers = new LinkedHashMap<>();
            response.path("headers").fields().forEachRemaining(f -> headers.put(f.getKey(), f.getValue().asText()));
            return new PgrstError(response.get("status").asInt(), body.get("code").asText(), body.get("message").asText(),
                    body.get("details"), body.get("hint"), headers);
        } catch (Exception invalid) {
            return new PgrstError(500, "PGRST121", "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
                    "Invalid JSON value for MESSAGE: '" + message + "'",
                    "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.");
        }
    }

    /** PostgREST 12's mapping of SQLSTATE to HTTP status. */
    static int statusFor(String state, String message, boolean authenticated) {
        if (state.length() < 2) {
            return 500;
        }
        switch (state) {
            case "23503", "23505" -> {
                return 409;
            }
            case "25006" -> {
                return 405;
            }
            case "21000" -> {
                return message != null && message.endsWith("requires a WHERE clause") ? 400 : 500;
            }
            case "22023" -> {
                return message != null && message.startsWith("role") && message.endsWith("does not exist") ? 401 : 400;
            }
            case "53400" -> {
                return 500;
            }
            case "57P01" -> {
                return 503;
            }
            case "P0001" -> {
                return 400;
            }
            case "42883" -> {
                return message != null && message.startsWith("function xmlagg(") ? 406 : 404;
            }
            case "42P01" -> {
                return 404;
            }
            case "42P17" -> {
                return 500;
            }
            case "42501" -> {
                return authenticated ? 403 : 401;
            }
            default -> {
                // by class below
            }
        }
        if (state.startsWith("PT") && state.length() == 5) {
            try {
                return Integer.parseInt(state.substring(2));
            } catch (NumberFormatException e) {
                return 500;
            }
        }
        return switch (state.substring(0, 2)) {
            case "08" -> 503;
            case "09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX" -> 500;
            case "0L", "0P", "28" -> 403;
            case "53" -> 503;
            default -> 400;
        };
    }
}
