package dev.anvil.server.realtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.http.Json;

/**
 * A loopback HTTP server through which a Node suite asks the Java side for what a client cannot do
 * itself: run SQL as the superuser ({@code POST /sql}), restart Postgres, … Each hook takes the
 * request body and returns the response body.
 */
final class TestHooks implements AutoCloseable {

    private final HttpServer server;

    TestHooks() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    TestHooks hook(String name, Function<String, String> handler) {
        server.createContext("/" + name, exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = 200;
            String reply;
            try {
                reply = handler.apply(body);
            } catch (RuntimeException e) {
                status = 500;
                reply = String.valueOf(e.getMessage());
            }
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        return this;
    }

    /** {@code POST /sql}: runs the body as the superuser in the database; the first result's rows as JSON. */
    TestHooks sql(DatabaseLocation database) {
        return hook("sql", text -> runSql(database, text));
    }

    static String runSql(DatabaseLocation database, String text) {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement statement = connection.createStatement()) {
            ArrayNode rows = Json.mapper().createArrayNode();
            if (statement.execute(text)) {
                try (ResultSet result = statement.getResultSet()) {
                    ResultSetMetaData meta = result.getMetaData();
                    while (result.next()) {
                        ObjectNode row = rows.addObject();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            row.put(meta.getColumnLabel(i), result.getString(i));
                        }
                    }
                }
            }
            return rows.toString();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
