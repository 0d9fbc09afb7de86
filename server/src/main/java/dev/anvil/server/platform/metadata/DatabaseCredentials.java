package dev.anvil.server.platform.metadata;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import io.helidon.dbclient.DbClient;

/**
 * {@code GET /api/metadata/database-connection-string} and {@code /database-password}. InsForge
 * answers them (in its cloud) so the dashboard can show how to connect with psql. Anvil answers
 * only when the operator opted in ({@code ANVIL_METADATA_DATABASE_CREDENTIALS=true}) and never with
 * a superuser's credentials: the admin API key is deliberately confined to {@code project_admin}
 * (raw SQL runs as that role, behind a statement guard), while a superuser login can read every
 * database on the cluster and run programs on the database host ({@code COPY … PROGRAM}). Handing it
 * out would turn the API key into the keys of the machine. The embedded database's superuser is
 * refused this way too — it listens on loopback only, so its address would be of no use anyway.
 */
final class DatabaseCredentials {

    private final boolean exposed;
    private final DatabaseLocation location;
    private final DbClient db;

    DatabaseCredentials(boolean exposed, DatabaseLocation location, DbClient db) {
        this.exposed = exposed;
        this.location = location;
        this.db = db;
    }

    /** {@code {connectionURL, parameters: {host, port, database, user, password, sslmode}}}. */
    ObjectNode connection() {
        Parameters parameters = parameters();
        ObjectNode body = Json.object();
        body.put("connectionURL", "postgresql://" + encode(parameters.user()) + ":" + encode(parameters.password()) + "@"
                + parameters.host() + ":" + parameters.port() + "/" + encode(parameters.database())
                + "?sslmode=" + parameters.sslmode());
        ObjectNode json = body.putObject("parameters");
        json.put("host", parameters.host());
        json.put("port", parameters.port());
        json.put("database", parameters.database());
        json.put("user", parameters.user());
        json.put("password", parameters.password());
        json.put("sslmode", parameters.sslmode());
        return body;
    }

    /** {@code {databasePassword}}. */
    ObjectNode password() {
        ObjectNode body = Json.object();
        body.put("databasePassword", parameters().password());
        return body;
    }

    private record Parameters(String host, int port, String database, String user, String password, String sslmode) {
    }

    private Parameters parameters() {
        if (!exposed) {
            throw new ApiException(403, "FORBIDDEN", "This server does not hand out database credentials",
                    "An operator can allow it for a non-superuser database login with ANVIL_METADATA_DATABASE_CREDENTIALS=true.");
        }
        boolean superuser = db.execute().get("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                .map(row -> row.column("rolsuper").get(Boolean.class)).orElse(true);
        if (superuser) {
            throw new ApiException(403, "FORBIDDEN", "The server connects to Postgres as a superuser; its credentials are not handed out",
                    "Give the server a database login that is not a superuser (as the Kubernetes operator does) to expose it.");
        }
        // jdbc:postgresql://host:port/db?params — parse the part after "jdbc:" as a URI.
        URI uri = URI.create(location.jdbcUrl().substring("jdbc:".length()));
        if (uri.getHost() == null) {
            throw new ApiException(501, "NOT_IMPLEMENTED", "The database URL names several hosts; no single connection string exists");
        }
        Map<String, String> query = query(uri.getRawQuery());
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        String user = location.user() != null ? location.user() : query.getOrDefault("user", "");
        String password = location.password() != null ? location.password() : query.getOrDefault("password", "");
        return new Parameters(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password,
                query.getOrDefault("sslmode", "prefer"));
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                values.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
