package dev.anvil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads request bodies under the configured size limit ({@code ANVIL_MAX_BODY_MB}). A body over the
 * limit is a 413 — refused from {@code Content-Length} before reading, or as soon as a chunked body
 * crosses it — and malformed JSON is a 400 {@code INVALID_INPUT}, never a 500.
 */
public final class RequestBody {

    private RequestBody() {
    }

    /** The body as JSON; an absent or empty body reads as {@code {}} (as Express's JSON parser does). */
    public static JsonNode json(ServerRequest req) {
        return json(req, Json.mapper().reader());
    }

    /** The body as JSON read with the reader's settings (for instance decimals kept exact). */
    public static JsonNode json(ServerRequest req, ObjectReader reader) {
        byte[] bytes = bytes(req);
        if (bytes.length == 0) {
            return Json.object();
        }
        try {
            JsonNode node = reader.readTree(bytes);
            return node == null || node.isMissingNode() ? Json.object() : node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "INVALID_INPUT", "Invalid JSON in request body: " + e.getOriginalMessage(),
                    "Please ensure your request body contains valid JSON");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body as a JSON object with typed accessors that fail with InsForge's validation messages. */
    public static JsonFields object(ServerRequest req) {
        return JsonFields.of(json(req));
    }

    /** The raw body, bounded by the size limit. */
    public static byte[] bytes(ServerRequest req) {
        long limit = BodyLimit.of(req).maxBytes();
        if (req.headers().contentLength().orElse(0) > limit) {
            throw tooLarge(limit);
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new ApiException(400, "INVALID_INPUT", "Could not read the request body: " + e.getMessage());
        }
    }

    public static boolean hasJsonContentType(ServerRequest req) {
        return req.headers().first(HeaderNames.CONTENT_TYPE).map(v -> v.toLowerCase().contains("json")).orElse(false);
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(413, "PAYLOAD_TOO_LARGE",
                "Request body is larger than the limit of " + limit + " bytes",
                "Send a smaller body, or raise ANVIL_MAX_BODY_MB");
    }
}
