package dev.anvil.server.database;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Limits of the database admin API: raw SQL and table metadata. */
public final class DatabaseApiSettings {

    public static final Setting RAWSQL_TIMEOUT = Setting.of("ANVIL_RAWSQL_TIMEOUT_SECONDS", "30",
            "Statement timeout for raw SQL (`/api/database/advance/rawsql…`) and custom migrations (`/api/database/migrations`); "
                    + "a longer query is cancelled with a \"Query timeout\" error");
    public static final Setting RAWSQL_MAX_ROWS = Setting.of("ANVIL_RAWSQL_MAX_ROWS", "50000",
            "Most rows one raw SQL query may return; a larger result is refused with 400 (add a LIMIT)");
    public static final Setting COUNT_TIMEOUT = Setting.of("ANVIL_TABLE_COUNT_TIMEOUT_SECONDS", "5",
            "Time allowed for the exact `recordCount` of `GET /api/database/tables/:table/schema`; past it the planner's estimate is returned");

    public static final List<Setting> ALL = List.of(RAWSQL_TIMEOUT, RAWSQL_MAX_ROWS, COUNT_TIMEOUT);

    private DatabaseApiSettings() {
    }
}
