package dev.anvil.server.database.export;

import java.util.List;
import java.util.Locale;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;

/**
 * The body of {@code POST /api/database/advance/export} (contract §3.5): {@code tables?} (default:
 * every user table in {@code public}), {@code format} ("sql" or "json"), {@code includeData}
 * (default true), {@code includeFunctions}, {@code includeSequences}, {@code includeViews} (default
 * false), {@code rowLimit} (1..{@value #MAX_ROW_LIMIT} rows per table, default {@value #DEFAULT_ROW_LIMIT}).
 */
record ExportRequest(List<String> tables, Format format, boolean includeData, boolean includeFunctions,
                     boolean includeSequences, boolean includeViews, int rowLimit) {

    enum Format { SQL, JSON }

    static final int MAX_ROW_LIMIT = 10_000;
    /** The whole export is one response in memory: without a limit, a thousand rows a table. */
    static final int DEFAULT_ROW_LIMIT = 1_000;

    static ExportRequest from(JsonFields body) {
        List<String> tables = body.stringList("tables").orElse(List.of());
        String format = body.requiredString("format");
        Format parsed = switch (format.toLowerCase(Locale.ROOT)) {
            case "sql" -> Format.SQL;
            case "json" -> Format.JSON;
            default -> throw ApiException.invalidInput(
                    "format: Invalid enum value. Expected 'sql' | 'json', received '" + format + "'");
        };
        long rowLimit = body.integer("rowLimit").orElse((long) DEFAULT_ROW_LIMIT);
        if (rowLimit < 1) {
            throw ApiException.invalidInput("rowLimit: Number must be greater than 0");
        }
        if (rowLimit > MAX_ROW_LIMIT) {
            throw ApiException.invalidInput("rowLimit: Number must be less than or equal to " + MAX_ROW_LIMIT);
        }
        return new ExportRequest(List.copyOf(tables), parsed, body.bool("includeData").orElse(true),
                body.bool("includeFunctions").orElse(false), body.bool("includeSequences").orElse(false),
                body.bool("includeViews").orElse(false), (int) rowLimit);
    }
}
