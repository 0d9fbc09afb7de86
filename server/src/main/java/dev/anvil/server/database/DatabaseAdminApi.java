package dev.anvil.server.database;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.database.bulk.BulkUpsertService;
import dev.anvil.server.database.export.DatabaseExportService;
import dev.anvil.server.database.grid.GridRecordsService;
import dev.anvil.server.database.migrations.CustomMigrations;
import dev.anvil.server.database.migrations.MigrationsService;
import dev.anvil.server.database.rawsql.RawSqlExecutor;
import dev.anvil.server.database.rawsql.RawSqlService;
import dev.anvil.server.database.rawsql.SqlImportService;
import dev.anvil.server.database.tables.TablesService;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.RoleTransaction;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

/**
 * The database domain's routes (contract §3.1, §3.4, §3.5): the tables API, schema metadata, raw
 * SQL, bulk upsert, export/import, custom migrations and the dashboard's grid CRUD, all admin-only. The records engine's
 * routes are registered elsewhere.
 */
public final class DatabaseAdminApi {

    private final HttpService tables;
    private final HttpService metadata;
    private final HttpService rawSql;
    private final HttpService bulkUpsert;
    private final HttpService export;
    private final HttpService sqlImport;
    private final HttpService migrations;
    private final HttpService gridRecords;

    private DatabaseAdminApi(AnvilConfig config, Database database, Credentials credentials) {
        RoleTransaction transactions = new RoleTransaction(database.dataSource());
        tables = new TablesService(credentials, transactions, config.getSeconds(DatabaseApiSettings.COUNT_TIMEOUT));
        metadata = new DatabaseMetadataService(credentials, transactions);
        RawSqlExecutor rawSqlExecutor = new RawSqlExecutor(database.location(),
                config.getSeconds(DatabaseApiSettings.RAWSQL_TIMEOUT), config.getInt(DatabaseApiSettings.RAWSQL_MAX_ROWS));
        rawSql = new RawSqlService(credentials, rawSqlExecutor);
        bulkUpsert = new BulkUpsertService(credentials, transactions, config.getSeconds(DatabaseApiSettings.RAWSQL_TIMEOUT));
        export = new DatabaseExportService(credentials, transactions, config.getSeconds(DatabaseApiSettings.RAWSQL_TIMEOUT));
        sqlImport = new SqlImportService(credentials, rawSqlExecutor);
        migrations = new MigrationsService(credentials, new CustomMigrations(database.dataSource(), rawSqlExecutor));
        gridRecords = new GridRecordsService(credentials, transactions, config.getSeconds(DatabaseApiSettings.RAWSQL_TIMEOUT));
    }

    /** Builds the services, after making sure project_admin may create schemas in this database. */
    public static DatabaseAdminApi create(AnvilConfig config, Database database, Credentials credentials) {
        DatabasePrivileges.ensure(database.dataSource());
        return new DatabaseAdminApi(config, database, credentials);
    }

    public void register(HttpRouting.Builder routing) {
        routing.register("/api/database/tables", tables);
        routing.register("/api/database", metadata);
        routing.register("/api/database/advance", rawSql);
        routing.register("/api/database/advance/bulk-upsert", bulkUpsert);
        routing.register("/api/database/advance/export", export);
        routing.register("/api/database/advance/import", sqlImport);
        routing.register("/api/database/migrations", migrations);
        routing.register("/api/database/admin/tables", gridRecords);
    }
}
