package dev.anvil.server.platform.logs;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.QueryParams;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/logs} (contract §8), admin only: the audit trail ({@code /audits}, its stats and
 * pruning) and the server's log sources ({@code /sources}, {@code /stats}, {@code /search},
 * {@code /:source}). The fixed paths are routed before {@code /:source}, so no source name can
 * shadow them.
 */
public final class LogsService implements HttpService {

    private static final int MAX_LIMIT = 1000;
    private static final int MAX_DAYS = 36_500;

    private final Credentials credentials;
    private final AuditTrail audits;
    private final LogSources sources;

    public LogsService(Credentials credentials, AuditTrail audits, LogSources sources) {
        this.credentials = credentials;
        this.audits = audits;
        this.sources = sources;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any((req, res) -> {
            credentials.admin(req);
            res.next();
        })
                .get("/audits", this::listAudits)
                .get("/audits/stats", this::auditStats)
                .delete("/audits", this::pruneAudits)
                .get("/sources", this::listSources)
                .get("/stats", this::sourceStats)
                .get("/search", this::search)
                .get("/functions/build-logs", (req, res) -> {
                    throw new ApiException(404, "LOG_NOT_FOUND", "Build logs not available: Anvil runs functions in its "
                            + "own Deno runtime, without a build step or deployments.", "Runtime output is in function.logs.");
                })
                // InsForge's older path; @insforge/mcp falls back to it when /:source answers 404.
                .get("/analytics/{source}", this::readSource)
                .get("/{source}", this::readSource);
    }

    private void listAudits(ServerRequest req, ServerResponse res) {
        int limit = QueryParams.intParam(req, "limit", 100, 1, MAX_LIMIT);
        int offset = QueryParams.intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        AuditTrail.Filter filter = new AuditTrail.Filter(text(req, "actor"), text(req, "action"), text(req, "module"),
                date(req, "start_date", false), date(req, "end_date", true));
        AuditTrail.Page page = audits.query(filter, limit, offset);
        PaginatedReply.send(res, page.records(), page.total(), offset);
    }

    private void auditStats(ServerRequest req, ServerResponse res) {
        Json.send(res, audits.stats(QueryParams.intParam(req, "days", 7, 1, MAX_DAYS)));
    }

    private void pruneAudits(ServerRequest req, ServerResponse res) {
        long deleted = audits.deleteOlderThan(QueryParams.intParam(req, "days_to_keep", 90, 0, MAX_DAYS));
        ObjectNode reply = Json.object();
        reply.put("message", "Audit logs cleared successfully");
        reply.put("deleted", deleted);
        Json.send(res, reply);
    }

    private void listSources(ServerRequest req, ServerResponse res) {
        ArrayNode list = Json.mapper().createArrayNode();
        int id = 1;
        for (LogSource source : sources.all()) {
            list.addObject().put("id", String.valueOf(id++)).put("name", source.name()).put("token", source.token());
        }
        Json.send(res, list);
    }

    /** {@code [{source, count, lastActivity}]} for the sources that hold anything. */
    private void sourceStats(ServerRequest req, ServerResponse res) throws IOException {
        ArrayNode stats = Json.mapper().createArrayNode();
        for (LogSource source : sources.all()) {
            List<LogEntry> entries = source.entries();
            if (!entries.isEmpty()) {
                stats.addObject().put("source", source.name()).put("count", entries.size())
                        .put("lastActivity", entries.get(entries.size() - 1).timestamp().toString());
            }
        }
        Json.send(res, stats);
    }

    /** Case-insensitive text search over messages and bodies, newest first. */
    private void search(ServerRequest req, ServerResponse res) throws IOException {
        String query = text(req, "q").orElseThrow(() -> new ApiException(400, "INVALID_INPUT",
                "Search query parameter (q) is required"));
        int limit = QueryParams.intParam(req, "limit", 100, 1, MAX_LIMIT);
        int offset = QueryParams.intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        List<LogSource> searched = text(req, "source").map(name -> List.of(sources.require(name))).orElseGet(sources::all);
        String needle = query.toLowerCase(Locale.ROOT);
        record Hit(String source, LogEntry entry) {
        }
        List<Hit> hits = new ArrayList<>();
        for (LogSource source : searched) {
            for (LogEntry entry : source.entries()) {
                if (entry.eventMessage().toLowerCase(Locale.ROOT).contains(needle)
                        || entry.body().toString().toLowerCase(Locale.ROOT).contains(needle)) {
                    hits.add(new Hit(source.name(), entry));
                }
            }
        }
        hits.sort(Comparator.comparing((Hit hit) -> hit.entry().timestamp()).reversed());
        ArrayNode page = Json.mapper().createArrayNode();
        hits.stream().skip(offset).limit(limit).forEach(hit -> page.add(hit.entry().toJson(hit.source())));
        PaginatedReply.send(res, page, hits.size(), offset);
    }

    /**
     * {@code {logs, total}}: the newest {@code limit} entries older than {@code before_timestamp}, in
     * time order (as InsForge's file provider answers); {@code total} counts every entry older than it.
     */
    private void readSource(ServerRequest req, ServerResponse res) throws IOException {
        LogSource source = sources.require(req.path().pathParameters().get("source"));
        int limit = QueryParams.intParam(req, "limit", 100, 1, MAX_LIMIT);
        Optional<Instant> before = date(req, "before_timestamp", false);
        List<LogEntry> older = source.entries().stream()
                .filter(entry -> before.isEmpty() || entry.timestamp().isBefore(before.get()))
                .toList();
        ArrayNode logs = Json.mapper().createArrayNode();
        older.subList(Math.max(0, older.size() - limit), older.size()).forEach(entry -> logs.add(entry.toJson()));
        ObjectNode reply = Json.object();
        reply.set("logs", logs);
        reply.put("total", older.size());
        Json.send(res, reply);
    }

    private static Optional<String> text(ServerRequest req, String name) {
        return req.query().first(name).map(String::strip).filter(value -> !value.isEmpty());
    }

    /**
     * An ISO-8601 instant or offset date-time, or a plain date (the start of that day in UTC; for an
     * end of range the end of that day).
     */
    static Optional<Instant> date(ServerRequest req, String name, boolean endOfDay) {
        return text(req, name).map(value -> {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException notDateTime) {
                try {
                    LocalDate day = LocalDate.parse(value);
                    return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant()
                            .minusNanos(endOfDay ? 1 : 0);
                } catch (DateTimeParseException notDate) {
                    throw ApiException.invalidInput(name + ": Invalid date, expected ISO 8601 (2026-01-31 or 2026-01-31T12:00:00Z)");
                }
            }
        });
    }
}
