package dev.anvil.server.platform;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Settings of the platform domain: metadata, logs. */
public final class PlatformSettings {

    public static final Setting PROJECT_ID = Setting.optional("ANVIL_PROJECT_ID",
            "Project id answered by GET /api/metadata/project-id (null when unset, as self-hosted InsForge answers)");
    public static final Setting LOG_BUFFER_RECORDS = Setting.of("ANVIL_LOG_BUFFER_RECORDS", "2000",
            "Recent server log records kept in memory for GET /api/logs/:source (0 = keep none)");
    public static final Setting EXPOSE_DATABASE_CREDENTIALS = Setting.of("ANVIL_METADATA_DATABASE_CREDENTIALS", "false",
            "Let admins read the database connection string and password from /api/metadata (never for a superuser login)");

    public static final List<Setting> ALL = List.of(PROJECT_ID, LOG_BUFFER_RECORDS, EXPOSE_DATABASE_CREDENTIALS);

    private PlatformSettings() {
    }
}
