package dev.anvil.server.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Tells PostgREST-compatible readers that the schema changed: {@code NOTIFY pgrst, 'reload schema'}
 * (contract §3.1). The records engine listens on the same channel, as PostgREST does. Sent inside
 * the transaction that changed the schema, Postgres delivers it only if that transaction commits.
 */
public final class SchemaReload {

    public static final String CHANNEL = "pgrst";
    public static final String PAYLOAD = "reload schema";

    private SchemaReload() {
    }

    public static void announce(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("NOTIFY " + CHANNEL + ", '" + PAYLOAD + "'");
        }
    }
}
