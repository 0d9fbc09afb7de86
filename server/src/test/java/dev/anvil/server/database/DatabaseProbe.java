package dev.anvil.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.Principal;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Looks at a test server's database from the side: plain SQL as the superuser, queries as a
 * signed-in user (through {@link RoleTransaction}, as the records engine runs them), and a LISTEN
 * on the {@code pgrst} channel.
 */
public final class DatabaseProbe implements AutoCloseable {

    private final TestServer server;
    private final Connection connection;

    public DatabaseProbe(TestServer server) {
        this.server = server;
        DatabaseLocation location = server.database();
        try {
            this.connection = DriverManager.getConnection(location.jdbcUrl(), location.user(), location.password());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void execute(String... statements) {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first column of the first row, as text (null when there is no row). */
    public String scalar(String sql) {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public boolean exists(String sql) {
        return scalar("SELECT EXISTS (" + sql + ")").equals("t");
    }

    /** Counts the rows of a table as a user with this access token sees them (row-level security applies). */
    public long countAsUser(String accessToken, String qualifiedTable) {
        Principal user = server.anvil().credentials().resolveUncached(Optional.of(accessToken), Optional.empty()).orElseThrow();
        return countAs(user, qualifiedTable);
    }

    public long countAs(Principal principal, String qualifiedTable) {
        try {
            return new RoleTransaction(server.anvil().database().dataSource()).run(principal, true, connection -> {
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + qualifiedTable)) {
                    rows.next();
                    return rows.getLong(1);
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Starts listening on a channel; read what arrived with {@link #notifications}. */
    public void listen(String channel) {
        execute("LISTEN " + channel);
    }

    /** Notifications received so far, waiting up to {@code wait} for the first. */
    public List<String> notifications(Duration wait) {
        try {
            PGNotification[] received = connection.unwrap(PGConnection.class).getNotifications((int) wait.toMillis());
            List<String> payloads = new ArrayList<>();
            if (received != null) {
                for (PGNotification notification : received) {
                    payloads.add(notification.getName() + ":" + notification.getParameter());
                }
            }
            return payloads;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Raw SQL through the HTTP API with the admin key. */
    public static HttpCall.Reply rawSql(TestServer server, String path, Map<String, Object> body) {
        return server.post("/api/database/advance/" + path).header("x-api-key", server.apiKey()).json(body).send();
    }

    public static JsonNode okJson(HttpCall.Reply reply) {
        if (reply.status() >= 300) {
            throw new AssertionError("Expected success, got " + reply);
        }
        return reply.json();
    }

    /** The reply is InsForge's error body with this status and code, and a message containing {@code messagePart}. */
    public static void assertError(HttpCall.Reply reply, int status, String code, String messagePart) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).as(reply.toString()).isEqualTo(code);
        assertThat(reply.json().get("statusCode").asInt()).isEqualTo(status);
        assertThat(reply.json().get("message").asText()).as(reply.toString()).contains(messagePart);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // test teardown
        }
    }
}
