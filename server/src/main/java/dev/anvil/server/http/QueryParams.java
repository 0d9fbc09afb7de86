package dev.anvil.server.http;

import io.helidon.webserver.http.ServerRequest;

/** Query-string numbers with bounds, failing as 400 INVALID_INPUT the way InsForge's zod schemas do. */
public final class QueryParams {

    private QueryParams() {
    }

    public static int intParam(ServerRequest req, String name, int defaultValue, int min, int max) {
        var raw = req.query().first(name);
        if (raw.isEmpty() || raw.get().isBlank()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get().trim());
            if (value < min || value > max) {
                throw ApiException.invalidInput(name + ": must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.invalidInput(name + ": Expected number, received string");
        }
    }
}
