package dev.anvil.server.records;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.records.exec.Outcome;
import dev.anvil.server.records.exec.QueryRunner;
import dev.anvil.server.records.parse.ApiRequest;
import dev.anvil.server.records.parse.ApiRequest.Action;
import dev.anvil.server.records.parse.MediaType;
import dev.anvil.server.records.parse.Preferences;
import dev.anvil.server.records.parse.QueryString;
import dev.anvil.server.records.plan.ActionPlan;
import dev.anvil.server.records.plan.ReadNode;
import dev.anvil.server.records.schema.Routine;

/**
 * Status, headers and body of a successful records response, by PostgREST 12's rules: 200/206/416
 * with {@code Content-Range} for reads and calls; 201 (200 when an upsert only updated),
 * {@code Location} for {@code return=headers-only}; 200 or 204 for updates and deletes;
 * {@code Preference-Applied} for the preferences honoured. Also the checks that must pass before a
 * write commits (single object, {@code max-affected}, PUT's key).
 */
final class ResponseShaper {

    private ResponseShaper() {
    }

    /** The check to run inside the transaction, or null when the plain one-round-trip path will do. */
    static QueryRunner.Check check(ActionPlan plan) {
        ApiRequest request = plan.request();
        Preferences prefs = request.preferences();
        boolean singular = request.media().type().singular();
        Long maxAffected = prefs.handling() == Preferences.Handling.STRICT ? prefs.maxAffected() : null;
        return switch (plan) {
            case ActionPlan.Read read -> null;
            case ActionPlan.Mutate mutate -> switch (mutate.kind()) {
                case PUT -> outcome -> {
                    if (outcome.pageTotal() != 1) {
                        throw PgrstError.putKeyMismatch();
                    }
                };
                case INSERT -> singular ? singularCheck() : null;
                case UPDATE, DELETE -> singular || maxAffected != null ? outcome -> {
                    if (singular && outcome.pageTotal() != 1) {
                        throw PgrstError.singular(outcome.pageTotal());
                    }
                    if (maxAffected != null && outcome.pageTotal() > maxAffected) {
                        throw PgrstError.maxAffected(outcome.pageTotal());
                    }
                } : null;
            };
            case ActionPlan.Call call -> request.action() != Action.CALL_POST ? null
                    : (singular && call.routine().returnsSet()) || maxAffected != null ? outcome -> {
                        if (singular && call.routine().returnsSet() && outcome.pageTotal() != 1) {
                            throw PgrstError.singular(outcome.pageTotal());
                        }
                        if (maxAffected != null && outcome.pageTotal() > maxAffected) {
                            throw PgrstError.maxAffected(outcome.pageTotal());
                        }
                    } : null;
        };
    }

    private static QueryRunner.Check singularCheck() {
        return outcome -> {
            if (outcome.pageTotal() != 1) {
                throw PgrstError.singular(outcome.pageTotal());
            }
        };
    }

    static EngineResponse respond(ActionPlan plan, Outcome outcome) {
        EngineResponse response = switch (plan) {
            case ActionPlan.Read read -> read(read, outcome);
            case ActionPlan.Mutate mutate -> mutate(mutate, outcome);
            case ActionPlan.Call call -> call(call, outcome);
        };
        return overridden(response, outcome);
    }

    /**
     * PostgREST's response overrides: a function may set {@code response.status} and
     * {@code response.headers} ({@code [{"Header": "value"}, …]}) for its transaction.
     */
    private static EngineResponse overridden(EngineResponse response, Outcome outcome) {
        if (outcome.gucHeaders() == null && outcome.gucStatus() == null) {
            return response;
        }
        int status = response.status();
        if (outcome.gucStatus() != null) {
            try {
                status = Integer.parseInt(outcome.gucStatus().trim());
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 100 || status > 599) {
                throw new PgrstError(500, "PGRST112", "response.status guc must be a valid status code", null, null);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        if (outcome.gucHeaders() != null) {
            PgrstError invalid = new PgrstError(500, "PGRST111",
                    "response.headers guc must be a JSON array composed of objects with a single key and a string value",
                    null, null);
            JsonNode list;
            try {
                list = Json.parse(outcome.gucHeaders());
            } catch (RuntimeException e) {
                throw invalid;
            }
            if (!list.isArray()) {
                throw invalid;
            }
            for (JsonNode entry : list) {
                if (!entry.isObject() || entry.size() != 1 || !entry.elements().next().isTextual()) {
                    throw invalid;
                }
                String name = entry.fieldNames().next();
                if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == ':')) {
                    throw invalid;
                }
                String value = entry.elements().next().asText();
                if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                    throw invalid;
                }
                headers.put(name, value);
            }
        }
        return new EngineResponse(status, headers, response.body());
    }

    private static EngineResponse read(ActionPlan.Read read, Outcome outcome) {
        ApiRequest request = read.request();
        if (request.media().type().singular() && outcome.pageTotal() != 1) {
            throw PgrstError.singular(outcome.pageTotal());
        }
        Long total = total(request, outcome);
        Map<String, String> headers = new LinkedHashMap<>();
        int status = rangeStatus(request.offset(), outcome.pageTotal(), total);
        headers.put("Content-Range", contentRange(request.offset(), request.offset() + outcome.pageTotal() - 1, total));
        String canonical = request.query().canonical();
        headers.put("Content-Location", "/" + QueryString.encode(read.table().name().name())
                + (canonical.isEmpty() ? "" : "?" + canonical));
        applied(headers, request.preferences().applied(false, false, false, false));
        if (status == 416) {
            return outOfRange(headers, request.offset(), total);
        }
        contentType(headers, request);
        byte[] body = request.action().headersOnly() ? new byte[0] : body(request, outcome, read.root());
        return new EngineResponse(status, headers, body);
    }

    private static EngineResponse mutate(ActionPlan.Mutate m, Outcome outcome) {
        ApiRequest request = m.request();
        Preferences prefs = request.preferences();
        boolean representation = m.returning() == ActionPlan.Returning.ROWS;
        Long total = prefs.count() != null ? outcome.pageTotal() : null;
        Map<String, String> headers = new LinkedHashMap<>();
        int status;
        switch (m.kind()) {
            case INSERT -> {
                if (m.returning() == ActionPlan.Returning.PRIMARY_KEY && outcome.pageTotal() == 1 && outcome.body() != null) {
                    headers.put("Location", location(m, outcome.body()));
                }
                headers.put("Content-Range", contentRange(1, 0, total));
                boolean resolutionApplied = !m.table().primaryKey().isEmpty() || request.query().onConflict() != null;
                applied(headers, prefs.applied(resolutionApplied, true, true, false));
                status = prefs.resolution() == Preferences.Resolution.MERGE && outcome.inserted() != null
                        && outcome.inserted() <= 0 ? 200 : 201;
            }
            case UPDATE -> {
                headers.put("Content-Range", contentRange(0, outcome.pageTotal() - 1, total));
                applied(headers, prefs.applied(false, true, true, true));
                status = representation ? 200 : 204;
            }
            case DELETE -> {
                headers.put("Content-Range", contentRange(1, 0, total));
                applied(headers, prefs.applied(false, true, false, true));
                status = representation ? 200 : 204;
            }
            case PUT -> {
                applied(headers, prefs.applied(false, true, false, false));
                status = representation ? (outcome.inserted() != null && outcome.inserted() > 0 ? 201 : 200) : 204;
            }
            default -> throw new IllegalStateException();
        }
        if (!representation) {
            return new EngineResponse(status, headers, new byte[0]);
        }
        contentType(headers, request);
        return new EngineResponse(status, headers, body(request, outcome, m.representation()));
    }

    private static EngineResponse call(ActionPlan.Call call, Outcome outcome) {
        ApiRequest request = call.request();
        Routine routine = call.routine();
        if (request.action() != Action.CALL_POST && request.media().type().singular() && routine.returnsSet()
                && outcome.pageTotal() != 1) {
            throw PgrstError.singular(outcome.pageTotal());
        }
        Long total = total(request, outcome);
        Map<String, String> headers = new LinkedHashMap<>();
        int status = rangeStatus(request.offset(), outcome.pageTotal(), total);
        headers.put("Content-Range", contentRange(request.offset(), request.offset() + outcome.pageTotal() - 1, total));
        applied(headers, request.preferences().applied(false, false, false, true));
        if (routine.result() instanceof Routine.Void) {
            return new EngineResponse(204, headers, new byte[0]);
        }
        if (status == 416) {
            return outOfRange(headers, request.offset(), total);
        }
        contentType(headers, request);
        byte[] body = request.action().headersOnly() ? new byte[0]
                : call.root() != null ? body(request, outcome, call.root()) : nonNull(outcome.body());
        return new EngineResponse(status, headers, body);
    }

    /** The count the response reports: exact, planned, or (estimated) the larger of both. */
    private static Long total(ApiRequest request, Outcome outcome) {
        Preferences.Count count = request.preferences().count();
        if (count == null) {
            return null;
        }
        return switch (count) {
            case EXACT -> outcome.total();
            case PLANNED -> outcome.planned();
            case ESTIMATED -> outcome.total() == null || outcome.planned() == null ? outcome.total()
                    : Long.valueOf(Math.max(outcome.total(), outcome.planned()));
        };
    }

    private static byte[] body(ApiRequest request, Outcome outcome, ReadNode root) {
        byte[] body = nonNull(outcome.body());
        if (request.media().type() != MediaType.CSV) {
            return body;
        }
        // Postgres renders the rows; the header line is the output's column names.
        String header = outcome.pageTotal() == 0 ? "" : String.join(",", csvNames(root.outputNames()));
        byte[] head = (header + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    private static List<String> csvNames(List<String> names) {
        return names.stream().map(n -> n.matches("[^,\"\\s]*") ? n : "\"" + n.replace("\"", "\"\"") + "\"").toList();
    }

    private static byte[] nonNull(byte[] body) {
        return body == null ? new byte[0] : body;
    }

    /** {@code Location: /table?pk=eq.value} from the inserted row's key (Postgres returns it as a JSON array). */
    private static String location(ActionPlan.Mutate m, byte[] body) {
        JsonNode rows = Json.parse(new String(body, StandardCharsets.UTF_8));
        JsonNode values = rows.path(0);
        StringBuilder out = new StringBuilder("/").append(QueryString.encode(m.table().name().name())).append('?');
        List<String> pk = m.table().primaryKey();
        for (int i = 0; i < pk.size(); i++) {
            if (i > 0) {
                out.append('&');
            }
            JsonNode value = values.path(i);
            out.append(QueryString.encode(pk.get(i))).append("=eq.")
                    .append(QueryString.encode(value.isNull() ? "" : value.asText()));
        }
        return out.toString();
    }

    private static void contentType(Map<String, String> headers, ApiRequest request) {
        headers.put("Content-Type", request.media().type().contentType(request.media().nullsStripped()));
        if (request.profileNegotiated()) {
            headers.put("Content-Profile", request.target().schema());
        }
    }

    private static void applied(Map<String, String> headers, String value) {
        if (value != null) {
            headers.put("Preference-Applied", value);
        }
    }

    private static EngineResponse outOfRange(Map<String, String> headers, long offset, Long total) {
        PgrstError error = PgrstError.range("An offset of " + offset + " was requested, but there are only "
                + (total == null ? 0 : total) + " rows.");
        headers.put("Content-Type", EngineResponse.JSON);
        return new EngineResponse(416, headers, error.body());
    }

    /** PostgREST's range status: 416 past the end, 206 when the page is smaller than the known total. */
    static int rangeStatus(long lower, long pageTotal, Long total) {
        if (total == null) {
            return 200;
        }
        long upper = lower + pageTotal - 1;
        if (lower > total) {
            return 416;
        }
        if (1 + upper - lower < total) {
            return 206;
        }
        return 200;
    }

    /** {@code Content-Range: lower-upper/total}, {@code *} where unknown or empty. */
    static String contentRange(long lower, long upper, Long total) {
        boolean totalNotZero = total == null || total != 0;
        String range = totalNotZero && lower <= upper ? lower + "-" + upper : "*";
        return range + "/" + (total == null ? "*" : total.toString());
    }
}
