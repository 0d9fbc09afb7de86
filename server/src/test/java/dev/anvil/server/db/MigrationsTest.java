package dev.anvil.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.anvil.server.testing.SharedPostgres;
import org.junit.jupiter.api.Test;

/**
 * Migrations run on an empty database, twice without harm, and as a non-superuser tenant login on a
 * server whose shared roles already exist — the way the operator provisions Kubernetes projects.
 */
class MigrationsTest {

    @Test
    void migrateTwiceOnAnEmptyDatabase() throws SQLException {
        DatabaseLocation location = SharedPostgres.newEmptyDatabase("migrate_twice");
        try (Database database = Database.connect(location, 2)) {
            int first = Migrations.migrate(database.dataSource());
            int second = Migrations.migrate(database.dataSource());

            assertThat(first).isGreaterThanOrEqualTo(3);
            assertThat(second).isZero();
            assertPlatformSchema(database);
        }
    }

    @Test
    void aMigrationMissingFromTheHistoryIsAppliedNotSkipped() throws SQLException {
        DatabaseLocation location = SharedPostgres.newDatabase("pending");
        try (Database database = Database.connect(location, 2)) {
            try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
                statement.execute("DELETE FROM system.schema_history WHERE version = '3'");
            }
            assertThat(Migrations.migrate(database.dataSource())).isEqualTo(1);
            assertThat(Migrations.migrate(database.dataSource())).isZero();
        }
    }

    @Test
    void migrateAsTenantLoginWhenSharedRolesAlreadyExist() throws SQLException {
        // The shared roles exist already (the template database created them on this server).
        SharedPostgres.execute("postgres",
                "CREATE ROLE tenant_a LOGIN PASSWORD 'tenant-a-pw' NOSUPERUSER NOCREATEROLE NOCREATEDB",
                "GRANT anon, authenticated, project_admin TO tenant_a",
                "CREATE DATABASE tenant_a_db OWNER tenant_a",
                "REVOKE CONNECT ON DATABASE tenant_a_db FROM PUBLIC");
        DatabaseLocation tenant = new DatabaseLocation(SharedPostgres.location("tenant_a_db").jdbcUrl(), "tenant_a", "tenant-a-pw");
        try (Database database = Database.connect(tenant, 2)) {
            assertThat(Migrations.migrate(database.dataSource())).isGreaterThanOrEqualTo(3);
            assertThat(Migrations.migrate(database.dataSource())).isZero();
            assertPlatformSchema(database);
        }
    }

    @Test
    void helperFunctionsReadTheRequestClaims() throws SQLException {
        DatabaseLocation location = SharedPostgres.newDatabase("claims");
        try (Connection connection = DriverManager.getConnection(location.jdbcUrl(), location.user(), location.password());
             Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', "
                    + "'{\"sub\":\"6f1c2a9e-8d7b-4c1a-9e2f-0a1b2c3d4e5f\",\"email\":\"a@b.c\",\"role\":\"authenticated\"}', true)");
            try (ResultSet rows = statement.executeQuery("SELECT auth.uid()::text, auth.role(), auth.email(), auth.jwt()->>'sub', current_user")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("6f1c2a9e-8d7b-4c1a-9e2f-0a1b2c3d4e5f");
                assertThat(rows.getString(2)).isEqualTo("authenticated");
                assertThat(rows.getString(3)).isEqualTo("a@b.c");
                assertThat(rows.getString(4)).isEqualTo("6f1c2a9e-8d7b-4c1a-9e2f-0a1b2c3d4e5f");
                assertThat(rows.getString(5)).isEqualTo("authenticated");
            }
            statement.execute("SELECT set_config('request.jwt.claims', '{\"sub\":\"local:admin\",\"role\":\"project_admin\"}', true)");
            try (ResultSet rows = statement.executeQuery("SELECT auth.uid() IS NULL")) {
                rows.next();
                assertThat(rows.getBoolean(1)).as("a non-uuid subject is no user id").isTrue();
            }
            connection.rollback();
        }
    }

    @Test
    void projectAdminCannotAttachTriggersToPlatformTables() throws SQLException {
        DatabaseLocation location = SharedPostgres.newDatabase("admin_grants");
        try (Database database = Database.connect(location, 1);
             Connection connection = database.connection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM information_schema.role_table_grants "
                     + "WHERE grantee = 'project_admin' AND table_schema IN ('storage', 'realtime') "
                     + "AND privilege_type IN ('TRIGGER', 'TRUNCATE', 'REFERENCES')")) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
    }

    private static void assertPlatformSchema(Database database) throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM information_schema.schemata "
                    + "WHERE schema_name IN ('auth','storage','functions','realtime','system','email')")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(6);
            }
            try (ResultSet rows = statement.executeQuery("SELECT rolbypassrls FROM pg_roles WHERE rolname = 'project_admin'")) {
                rows.next();
                assertThat(rows.getBoolean(1)).isTrue();
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname IN ('anon','authenticated','project_admin') AND NOT rolcanlogin")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(3);
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM auth.config")) {
                rows.next();
                assertThat(rows.getInt(1)).as("auth config singleton").isEqualTo(1);
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    + "WHERE (n.nspname, p.proname) IN (('auth','uid'),('auth','role'),('auth','email'),('auth','jwt'),('system','update_updated_at'))")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(5);
            }
        }
    }
}
