package dev.anvil.server.auth;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.testing.TestServer;

/** Direct SQL on a test server's database, to look behind the API (what is stored) or to age rows. */
public final class Sql {

    private Sql() {
    }

    public static int update(TestServer server, String sql, Object... params) {
        try (Connection connection = connect(server); PreparedStatement statement = prepare(connection, sql, params)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of every row, as text. */
    public static List<String> column(TestServer server, String sql, Object... params) {
        try (Connection connection = connect(server); PreparedStatement statement = prepare(connection, sql, params);
             ResultSet rows = statement.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String one(TestServer server, String sql, Object... params) {
        List<String> values = column(server, sql, params);
        if (values.size() != 1) {
            throw new AssertionError("expected one row, got " + values + " for " + sql);
        }
        return values.get(0);
    }

    private static Connection connect(TestServer server) throws SQLException {
        DatabaseLocation location = server.database();
        return DriverManager.getConnection(location.jdbcUrl(), location.user(), location.password());
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
        return statement;
    }
}
