package dev.anvil.server.database.rawsql;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;

/** The body of the raw-SQL endpoints: {@code {query, params?, explain?}} (contract §3.4). */
public record RawSqlRequest(String query, List<JsonNode> params, boolean explain) {

    public static RawSqlRequest from(JsonFields body) {
        String query = body.requiredString("query");
        if (query.isEmpty()) {
            throw ApiException.invalidInput("query: Query is required");
        }
        List<JsonNode> params = new ArrayList<>();
        body.node("params").ifPresent(node -> {
            if (!node.isArray()) {
                throw ApiException.invalidInput("params: Expected array, received " + node.getNodeType().name().toLowerCase());
            }
            node.forEach(params::add);
        });
        boolean explain = body.bool("explain").orElse(false);
        return new RawSqlRequest(query, List.copyOf(params), explain);
    }
}
