package dev.anvil.server.platform.logs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.anvil.server.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * InsForge's paginated admin answer (contract §1): the bare array, PostgREST-style
 * {@code Content-Range: start-end/total}, {@code Preference-Applied: count=exact}, and 206 when the
 * page is not everything. An empty page says {@code *}&#47;total, as PostgREST does.
 */
final class PaginatedReply {

    private PaginatedReply() {
    }

    static void send(ServerResponse res, ArrayNode page, long total, long offset) {
        long effectiveTotal = Math.max(total, page.isEmpty() ? total : offset + page.size());
        String range = page.isEmpty() ? "*" : offset + "-" + (offset + page.size() - 1);
        res.header(HeaderNames.CONTENT_RANGE, range + "/" + effectiveTotal);
        res.header(HeaderNames.create("Preference-Applied"), "count=exact");
        Json.send(res, page.size() < effectiveTotal ? 206 : 200, page);
    }
}
