package dev.anvil.server.records.parse;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.ApiRequest.Action;
import dev.anvil.server.records.schema.QualifiedName;

/**
 * Turns the raw pieces of an HTTP request (method, target, query string, headers, body) into an
 * {@link ApiRequest}: the action, the schema from the profile headers, the query parts, the
 * preferences, the response format, the root range and the body.
 */
public final class RequestParser {

    private static final Pattern RANGE = Pattern.compile("^\\s*(?:items=)?\\s*(\\d{1,18})-(\\d{0,18})\\s*$");

    /** Request headers by (case-insensitive) name: every value of a repeated header. */
    public interface Headers {
        List<String> all(String name);

        /** All headers as a JSON object with lower-case names (PostgREST's {@code request.headers}). */
        String json();

        default String first(String name) {
            List<String> values = all(name);
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** The raw request: {@code rpc} tells whether {@code name} is a function or a relation. */
    public record RawRequest(String method, boolean rpc, String name, String rawQuery, Headers headers, byte[] body) {
    }

    private RequestParser() {
    }

    public static ApiRequest parse(RawRequest raw, List<String> exposedSchemas) {
        Action action = action(raw.method().toUpperCase(Locale.ROOT), raw.rpc());
        String schemaHeader = raw.headers().first(action.readOnly() ? "Accept-Profile" : "Content-Profile");
        String schema;
        if (schemaHeader != null) {
            schema = schemaHeader.trim();
            if (!exposedSchemas.contains(schema)) {
                throw PgrstError.schema(exposedSchemas);
            }
        } else {
            schema = exposedSchemas.isEmpty() ? "public" : exposedSchemas.get(0);
        }
        QueryParts query = QueryParts.parse(QueryString.parse(raw.rawQuery()), action == Action.CALL_GET
                || action == Action.CALL_HEAD);
        Preferences preferences = Preferences.parse(raw.headers().all("Prefer"));
        if (preferences.timezone() != null && !java.time.ZoneId.getAvailableZoneIds().contains(preferences.timezone())) {
            if (preferences.handling() == Preferences.Handling.STRICT) {
                throw dev.anvil.server.records.PgrstError.invalidPreferences(List.of("timezone=" + preferences.timezone()));
            }
            preferences = preferences.withTimezone(null);
        }
        MediaType.Choice media = MediaType.negotiate(raw.headers().first("Accept"));

        long offset = query.rootOffset() == null ? 0 : query.rootOffset();
        Long limit = query.rootLimit();
        if (action.readOnly()) {
            String range = raw.headers().first("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range);
                if (m.matches()) {
                    long lower = Long.parseLong(m.group(1));
                    Long upper = m.group(2).isEmpty() ? null : Long.parseLong(m.group(2));
                    if (upper != null && lower > upper) {
                        throw PgrstError.range("The lower boundary must be lower than or equal to the upper boundary in the Range header.");
                    }
                    // The header and limit/offset both restrict the rows: take their intersection.
                    long queryUpper = limit == null || limit > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + limit - 1;
                    long newLower = Math.max(lower, offset);
                    long newUpper = Math.min(upper == null ? Long.MAX_VALUE : upper, queryUpper);
                    offset = newLower;
                    limit = newUpper == Long.MAX_VALUE ? null : Math.max(0, newUpper - newLower + 1);
                }
            }
        }
        if (action == Action.PUT && (query.rootLimit() != null || query.rootOffset() != null)) {
            throw PgrstError.putLimit();
        }

        Payload payload = switch (action) {
            case CREATE, UPDATE, PUT -> Payload.parse(raw.body(), null);
            case CALL_POST -> Payload.parse(raw.body(), JsonNodeFactory.instance.objectNode());
            default -> null;
        };
        return new ApiRequest(action, new QualifiedName(schema, raw.name()), query, preferences, media,
                schemaHeader != null, offset, limit, payload);
    }

    private static Action action(String method, boolean rpc) {
        if (rpc) {
            return switch (method) {
                case "POST" -> Action.CALL_POST;
                case "GET" -> Action.CALL_GET;
                case "HEAD" -> Action.CALL_HEAD;
                default -> throw PgrstError.rpcMethod(method);
            };
        }
        return switch (method) {
            case "GET" -> Action.READ;
            case "HEAD" -> Action.HEAD;
            case "POST" -> Action.CREATE;
            case "PATCH" -> Action.UPDATE;
            case "PUT" -> Action.PUT;
            case "DELETE" -> Action.DELETE;
            default -> throw PgrstError.unsupportedMethod(method);
        };
    }
}
