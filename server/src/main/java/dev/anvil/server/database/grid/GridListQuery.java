package dev.anvil.server.database.grid;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.QueryParams;
import io.helidon.webserver.http.ServerRequest;

/**
 * The grid's page request, InsForge's {@code adminTableRecordsListQuerySchema}: {@code limit} 1–500
 * (50), {@code offset} ≥ 0 (0), {@code search} over the text columns, {@code sort=col:asc,col2:desc},
 * and one exact-match {@code filterColumn}/{@code filterValue} pair.
 */
record GridListQuery(int limit, int offset, String search, List<Sort> sort, String filterColumn, String filterValue) {

    record Sort(String column, boolean descending) {
    }

    static GridListQuery parse(ServerRequest req) {
        int limit = QueryParams.intParam(req, "limit", 50, 1, 500);
        int offset = QueryParams.intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        String search = first(req, "search").map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        String filterColumn = first(req, "filterColumn").map(String::strip).orElse(null);
        String filterValue = first(req, "filterValue").orElse(null);
        if ((filterColumn == null) != (filterValue == null)) {
            throw ApiException.invalidInput("filterColumn: filterColumn and filterValue must be provided together.");
        }
        return new GridListQuery(limit, offset, search, sort(first(req, "sort").orElse("")), filterColumn, filterValue);
    }

    private static Optional<String> first(ServerRequest req, String name) {
        return req.query().first(name).asOptional();
    }

    private static List<Sort> sort(String value) {
        List<Sort> clauses = new ArrayList<>();
        for (String raw : value.split(",")) {
            String clause = raw.strip();
            if (clause.isEmpty()) {
                continue;
            }
            String[] parts = clause.split(":", -1);
            if (parts[0].isEmpty() || parts.length > 2) {
                throw new ApiException(400, "INVALID_INPUT", "Invalid sort clause \"" + clause + "\".",
                        "Use sort values like \"created_at:desc,name:asc\".");
            }
            String direction = parts.length == 2 ? parts[1].toLowerCase(Locale.ROOT) : "asc";
            if (!direction.equals("asc") && !direction.equals("desc")) {
                throw new ApiException(400, "INVALID_INPUT", "Invalid sort direction \"" + parts[1] + "\".",
                        "Use either \"asc\" or \"desc\" for sort direction.");
            }
            clauses.add(new Sort(parts[0], direction.equals("desc")));
        }
        return List.copyOf(clauses);
    }
}
