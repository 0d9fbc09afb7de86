package dev.anvil.server.platform.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.db.Database;
import dev.anvil.server.db.DatabaseLocation;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.testing.SharedPostgres;
import org.junit.jupiter.api.Test;

/**
 * The credentials routes hand out a login only when the operator allowed it and the login is not a
 * superuser; what they hand out is a working libpq URL for that login.
 */
class DatabaseCredentialsTest {

    @Test
    void aNonSuperuserLoginIsHandedOutWhenAllowed() {
        DatabaseLocation admin = SharedPostgres.newDatabase("credentials");
        String database = URI.create(admin.jdbcUrl().substring(5)).getPath().substring(1);
        SharedPostgres.execute(database, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tenant_login') "
                + "THEN CREATE ROLE tenant_login LOGIN PASSWORD 'p@ss word'; END IF; END $$");
        // zonky's URL carries ?user=postgres, which would win over the login given here
        String url = admin.jdbcUrl().replaceFirst("\\?.*$", "");
        DatabaseLocation login = new DatabaseLocation(url, "tenant_login", "p@ss word");
        try (Database connected = Database.connect(login, 1)) {
            DatabaseCredentials credentials = new DatabaseCredentials(true, login, connected.client());

            JsonNode connection = credentials.connection();
            JsonNode parameters = connection.get("parameters");
            assertThat(parameters.get("host").asText()).isEqualTo("localhost");
            assertThat(parameters.get("database").asText()).isEqualTo(database);
            assertThat(parameters.get("user").asText()).isEqualTo("tenant_login");
            assertThat(parameters.get("password").asText()).isEqualTo("p@ss word");
            assertThat(parameters.get("sslmode").asText()).isEqualTo("prefer");
            assertThat(connection.get("connectionURL").asText()).isEqualTo("postgresql://tenant_login:p%40ss%20word@localhost:"
                    + parameters.get("port").asInt() + "/" + database + "?sslmode=prefer");
            assertThat(credentials.password().get("databasePassword").asText()).isEqualTo("p@ss word");

            DatabaseCredentials notAllowed = new DatabaseCredentials(false, login, connected.client());
            assertThatThrownBy(notAllowed::connection).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.nextActions()).contains("ANVIL_METADATA_DATABASE_CREDENTIALS");
            });
        }
    }

    @Test
    void aSuperuserLoginIsNeverHandedOut() {
        DatabaseLocation superuser = SharedPostgres.newDatabase("credentials_su");
        try (Database connected = Database.connect(superuser, 1)) {
            DatabaseCredentials credentials = new DatabaseCredentials(true, superuser, connected.client());

            assertThatThrownBy(credentials::password).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.getMessage()).contains("superuser"));
        }
    }
}
