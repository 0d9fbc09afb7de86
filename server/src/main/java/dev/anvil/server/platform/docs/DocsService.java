package dev.anvil.server.platform.docs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/docs} (contract §8), no credentials needed: the list, {@code GET /:docType} →
 * {@code {type, content}} and {@code GET /:feature/:language} → {@code {type, content}}; anything
 * else is 404 {@code DOCS_NOT_FOUND}.
 */
public final class DocsService implements HttpService {

    private final DocsLibrary library;

    public DocsService(DocsLibrary library) {
        this.library = library;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{docType}", this::docType)
                .get("/{feature}/{language}", this::sdk);
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode list = Json.mapper().createArrayNode();
        DocsLibrary.DOC_TYPES.keySet().forEach(type -> list.addObject().put("type", type)
                .put("filename", DocsLibrary.fileOf(type)).put("endpoint", "/api/docs/" + type));
        for (String feature : DocsLibrary.FEATURES) {
            for (String language : DocsLibrary.LANGUAGES) {
                list.addObject().put("type", feature + "-" + language).put("feature", feature).put("language", language)
                        .put("endpoint", "/api/docs/" + feature + "/" + language);
            }
        }
        Json.send(res, list);
    }

    private void docType(ServerRequest req, ServerResponse res) {
        String type = req.path().pathParameters().get("docType");
        send(res, type, library.docType(type).orElseThrow(DocsService::notFound));
    }

    private void sdk(ServerRequest req, ServerResponse res) {
        String feature = req.path().pathParameters().get("feature");
        String language = req.path().pathParameters().get("language");
        send(res, feature + "-" + language, library.sdk(feature, language).orElseThrow(DocsService::notFound));
    }

    private static void send(ServerResponse res, String type, String content) {
        ObjectNode body = Json.object();
        body.put("type", type);
        body.put("content", content);
        Json.send(res, body);
    }

    private static ApiException notFound() {
        return new ApiException(404, "DOCS_NOT_FOUND", "Documentation not found",
                "GET /api/docs lists the available documentation.");
    }
}
