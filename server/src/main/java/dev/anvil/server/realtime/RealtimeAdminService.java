package dev.anvil.server.realtime;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.QueryParams;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The realtime admin REST API at {@code /api/realtime} (contract §6.4), admin only. */
final class RealtimeAdminService implements HttpService {

    private final Credentials credentials;
    private final ChannelStore channels;
    private final MessageLog messages;

    RealtimeAdminService(Credentials credentials, ChannelStore channels, MessageLog messages) {
        this.credentials = credentials;
        this.channels = channels;
        this.messages = messages;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::admin)
                .get("/channels", (req, res) -> Json.send(res, channels.list()))
                .post("/channels", this::createChannel)
                .get("/channels/{id}", (req, res) -> Json.send(res, channels.find(id(req)).orElseThrow(RealtimeAdminService::noChannel)))
                .put("/channels/{id}", this::updateChannel)
                .delete("/channels/{id}", this::deleteChannel)
                .get("/messages/stats", this::stats)
                .get("/messages", this::listMessages)
                .delete("/messages", this::clearMessages)
                .get("/permissions", (req, res) -> Json.send(res, messages.permissions()))
                .get("/config", (req, res) -> Json.send(res, messages.config()))
                .patch("/config", this::updateConfig);
    }

    private void admin(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        res.next();
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static ApiException noChannel() {
        return ApiException.notFound("REALTIME_CHANNEL_NOT_FOUND", "Channel not found");
    }

    private void createChannel(ServerRequest req, ServerResponse res) throws SQLException {
        ObjectNode created = channels.create(RequestBody.object(req));
        AuditLog.record(req, "CREATE_CHANNEL", "REALTIME", Json.object().put("id", created.path("id").asText())
                .put("pattern", created.path("pattern").asText()));
        Json.send(res, 201, created);
    }

    private void updateChannel(ServerRequest req, ServerResponse res) throws SQLException {
        ObjectNode updated = channels.update(id(req), RequestBody.object(req)).orElseThrow(RealtimeAdminService::noChannel);
        AuditLog.record(req, "UPDATE_CHANNEL", "REALTIME", Json.object().put("id", id(req))
                .put("pattern", updated.path("pattern").asText()));
        Json.send(res, updated);
    }

    private void deleteChannel(ServerRequest req, ServerResponse res) throws SQLException {
        if (!channels.delete(id(req))) {
            throw noChannel();
        }
        AuditLog.record(req, "DELETE_CHANNEL", "REALTIME", Json.object().put("id", id(req)));
        ObjectNode reply = Json.object();
        reply.put("message", "Channel deleted");
        Json.send(res, reply);
    }

    private void listMessages(ServerRequest req, ServerResponse res) throws SQLException {
        int limit = QueryParams.intParam(req, "limit", 100, 1, 1000);
        int offset = QueryParams.intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        Json.send(res, messages.list(channelId(req), req.query().first("eventName").orElse(null), limit, offset));
    }

    private void clearMessages(ServerRequest req, ServerResponse res) throws SQLException {
        ObjectNode reply = Json.object();
        reply.put("deleted", messages.delete(channelId(req)));
        Json.send(res, reply);
    }

    private void stats(ServerRequest req, ServerResponse res) throws SQLException {
        Timestamp since = req.query().first("since").filter(s -> !s.isBlank()).map(RealtimeAdminService::date).orElse(null);
        Json.send(res, messages.stats(channelId(req), since));
    }

    private void updateConfig(ServerRequest req, ServerResponse res) throws SQLException {
        JsonFields body = RequestBody.object(req);
        if (!body.raw().has("retentionDays")) {
            throw ApiException.invalidInput("retentionDays: Required");
        }
        JsonNode value = body.raw().get("retentionDays");
        Integer days = null;
        if (!value.isNull()) {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw ApiException.invalidInput("retentionDays: Expected integer");
            }
            if (value.intValue() <= 0) {
                throw ApiException.invalidInput("retentionDays: Number must be greater than 0");
            }
            days = value.intValue();
        }
        messages.setRetentionDays(days);
        AuditLog.record(req, "UPDATE_REALTIME_CONFIG", "REALTIME", Json.object().putPOJO("retentionDays", days));
        ObjectNode reply = messages.config();
        reply.put("message", "Realtime config updated");
        Json.send(res, reply);
    }

    private static String channelId(ServerRequest req) {
        String id = req.query().first("channelId").filter(s -> !s.isBlank()).orElse(null);
        if (id != null && !ChannelAccess.isUuid(id)) {
            throw ApiException.invalidInput("channelId: Invalid uuid");
        }
        return id;
    }

    /** {@code since} as zod's {@code coerce.date()} reads it: an ISO date-time, or a date. */
    private static Timestamp date(String text) {
        try {
            return Timestamp.from(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return Timestamp.from(Instant.parse(text));
        } catch (DateTimeParseException ignored) {
            // try a plain date
        }
        try {
            return Timestamp.from(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException e) {
            throw ApiException.invalidInput("since: Invalid date");
        }
    }

}
