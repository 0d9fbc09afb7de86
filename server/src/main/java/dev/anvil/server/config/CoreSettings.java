package dev.anvil.server.config;

import java.util.List;

/** Settings of the server process itself. */
public final class CoreSettings {

    public static final Setting PORT = Setting.of("PORT", "7130", "HTTP port (0 = any free port)");
    public static final Setting HOST = Setting.of("ANVIL_HOST", "0.0.0.0", "Address to listen on");
    public static final Setting API_BASE_URL = Setting.optional("API_BASE_URL",
            "Public base URL of this server, used in links it hands out (default http://localhost:PORT)");
    public static final Setting DATA_DIR = Setting.of("ANVIL_DATA_DIR", "./.anvil",
            "Local state: embedded Postgres data, generated encryption key, local storage default");
    public static final Setting MAX_BODY_MB = Setting.of("ANVIL_MAX_BODY_MB", "100",
            "Largest JSON/text request body in MiB (uploads are limited by the storage config); larger bodies get 413");
    public static final Setting ACCESS_LOG = Setting.of("ANVIL_ACCESS_LOG", "true", "Log every request (common log format)");
    public static final Setting CONFIG_FILE = Setting.optional("ANVIL_CONFIG",
            "application.yaml to read settings from (default ./application.yaml if present)");

    public static final List<Setting> ALL = List.of(PORT, HOST, API_BASE_URL, DATA_DIR, MAX_BODY_MB, ACCESS_LOG, CONFIG_FILE);

    private CoreSettings() {
    }
}
