package dev.anvil.server.database;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.database.bulk.BulkUpsertService;
import dev.anvil.server.database.rawsql.RawSqlExecutor;
import dev.anvil.server.database.rawsql.RawSqlService;
import dev.anvil.server.database.tables.TablesService;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.RoleTransaction;
import io.helidon.webserver.http.HttpRouting;

/**
 * The database domain's routes (contract §3.1, §3.4, §3.5): the tables API, schema metadata, raw
 * SQL and bulk upsert, all admin-only. The records engine's routes are registered elsewhere.
 */
public final class DatabaseAdminApi {

    private DatabaseAdminApi() {
    }

    public static void register(HttpRouting.Builder routing, AnvilConfig config, Database database, Credentials credentials) {
        DatabasePrivileges.ensure(database.dataSource());
        RoleTransaction transactions = new RoleTransaction(database.dataSource());
        routing.register("/api/database/tables",
                new TablesService(credentials, transactions, config.getSeconds(DatabaseApiSettings.COUNT_TIMEOUT)));
        routing.register("/api/database", new DatabaseMetadataService(credentials, transactions));
        routing.register("/api/database/advance", new RawSqlService(credentials, new RawSqlExecutor(database.location(),
                config.getSeconds(DatabaseApiSettings.RAWSQL_TIMEOUT), config.getInt(DatabaseApiSettings.RAWSQL_MAX_ROWS))));
        routing.register("/api/database/advance/bulk-upsert",
                new BulkUpsertService(credentials, transactions, config.getSeconds(DatabaseApiSettings.RAWSQL_TIMEOUT)));
    }
}
