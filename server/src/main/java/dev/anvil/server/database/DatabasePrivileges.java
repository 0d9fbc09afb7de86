package dev.anvil.server.database;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Lets {@code project_admin} create schemas (the tables API and raw SQL take {@code ?schema=}) and
 * trusted extensions ({@code citext}, {@code pg_trgm}, {@code hstore}…) in the project's database —
 * only there: the privilege belongs to this database. Asserted at every start rather than in a
 * migration because database-level privileges are not part of a database's contents: a copy made
 * with {@code CREATE DATABASE … TEMPLATE} or a dump restored elsewhere does not carry them.
 */
public final class DatabasePrivileges {

    private static final System.Logger LOG = System.getLogger(DatabasePrivileges.class.getName());

    private DatabasePrivileges() {
    }

    public static void ensure(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("""
                    DO $$
                    BEGIN
                        IF NOT has_database_privilege('project_admin', current_database(), 'CREATE') THEN
                            EXECUTE format('GRANT CREATE ON DATABASE %I TO project_admin', current_database());
                        END IF;
                    END
                    $$""");
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "project_admin may not create schemas in this database (" + e.getMessage()
                    + "); grant it with GRANT CREATE ON DATABASE … TO project_admin as the database owner");
        }
    }
}
