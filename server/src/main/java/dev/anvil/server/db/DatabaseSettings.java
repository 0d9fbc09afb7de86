package dev.anvil.server.db;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Where the database is and how the pool talks to it. */
public final class DatabaseSettings {

    public static final Setting DATABASE_URL = Setting.optional("DATABASE_URL",
            "Postgres to use: `postgres://user:pass@host:port/db` or `jdbc:postgresql://…`. Unset (and no POSTGRES_HOST): embedded Postgres 17 under ANVIL_DATA_DIR");
    public static final Setting POSTGRES_HOST = Setting.optional("POSTGRES_HOST", "Postgres host, when DATABASE_URL is not set");
    public static final Setting POSTGRES_PORT = Setting.of("POSTGRES_PORT", "5432", "Postgres port");
    public static final Setting POSTGRES_DB = Setting.of("POSTGRES_DB", "insforge", "Postgres database name");
    public static final Setting POSTGRES_USER = Setting.of("POSTGRES_USER", "postgres", "Postgres user");
    public static final Setting POSTGRES_PASSWORD = Setting.optional("POSTGRES_PASSWORD", "Postgres password");
    public static final Setting POOL_SIZE = Setting.of("ANVIL_DB_POOL_SIZE", "10", "Connections in the pool");
    public static final Setting EMBEDDED_PORT = Setting.of("ANVIL_EMBEDDED_PG_PORT", "0",
            "Port of the embedded Postgres on loopback (0 = any free port)");

    public static final List<Setting> ALL = List.of(DATABASE_URL, POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB,
            POSTGRES_USER, POSTGRES_PASSWORD, POOL_SIZE, EMBEDDED_PORT);

    private DatabaseSettings() {
    }
}
