package dev.anvil.server.database;

import dev.anvil.server.http.ApiException;
import io.helidon.webserver.http.ServerRequest;

/**
 * The {@code ?schema=} of the database admin routes: {@code public} when absent or blank; Postgres'
 * own catalogs ({@code information_schema}, {@code pg_*}) are not available (contract §3.1).
 */
public final class SchemaParameter {

    public static final String DEFAULT = "public";

    private SchemaParameter() {
    }

    public static String of(ServerRequest req) {
        return req.query().first("schema").map(String::strip).filter(s -> !s.isEmpty())
                .map(SchemaParameter::validate).orElse(DEFAULT);
    }

    public static String validate(String schema) {
        Identifiers.require("schema", schema);
        if (schema.equals("information_schema") || schema.startsWith("pg_")) {
            throw new ApiException(400, "INVALID_INPUT", "Schema \"" + schema + "\" is not available.",
                    "Internal PostgreSQL schemas (information_schema, pg_*) cannot be used here.");
        }
        return schema;
    }
}
