package dev.anvil.server.records;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Settings of the records engine and of PostgREST proxying. */
public final class RecordsSettings {

    public static final Setting POSTGREST_BASE_URL = Setting.optional("POSTGREST_BASE_URL",
            "Proxy records and RPC to this PostgREST (e.g. `http://postgrest:3000`) with InsForge's role exchange, "
                    + "instead of answering them with the built-in engine");
    public static final Setting POSTGREST_PATH = Setting.optional("ANVIL_POSTGREST_PATH",
            "Also serve the built-in engine with PostgREST's own wire under this path (e.g. `/rest/v1`): `/<table>`, "
                    + "`/rpc/<fn>`, role from an HS256 JWT signed with JWT_SECRET, anon without one");
    public static final Setting SCHEMAS = Setting.optional("ANVIL_RECORDS_SCHEMAS",
            "Schemas the records API exposes, comma-separated, first is the default (default: public plus every "
                    + "non-platform, non-extension schema, as InsForge configures PostgREST)");

    public static final List<Setting> ALL = List.of(POSTGREST_BASE_URL, POSTGREST_PATH, SCHEMAS);

    private RecordsSettings() {
    }
}
