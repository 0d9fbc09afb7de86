package dev.anvil.server.database;

import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /api/database/schemas|functions|indexes|policies|triggers} (contract §3.1) in InsForge's shapes. */
class DatabaseMetadataTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("db_metadata");
        okJson(DatabaseProbe.rawSql(server, "rawsql", Map.of("query", """
                create schema shop;
                create table shop.orders (id int primary key, owner uuid, total numeric);
                create table shop._hidden (id int primary key);
                create unique index orders_owner_total on shop.orders (owner, total);
                alter table shop.orders enable row level security;
                create policy own_orders on shop.orders for select to authenticated using (owner = auth.uid());
                create function shop.order_total(o shop.orders) returns numeric language sql as 'select o.total';
                create function shop.touch() returns trigger language plpgsql as $$ begin return new; end $$;
                create trigger orders_touch before insert or update on shop.orders for each row execute function shop.touch();
                """)));
        okJson(server.post("/api/database/tables").header("x-api-key", server.apiKey()).json("""
                {"tableName":"notes","columns":[{"columnName":"body","type":"string","isNullable":true,"isUnique":false}]}""").send());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode get(String path) {
        return okJson(server.get(path).header("x-api-key", server.apiKey()).send());
    }

    @Test
    void schemasListPublicFirstAndMarkThePlatformsOwn() {
        JsonNode schemas = get("/api/database/schemas").get("schemas");

        assertThat(schemas.get(0)).isEqualTo(Json.parse("{\"name\":\"public\",\"isProtected\":false}"));
        assertThat(schemas).contains(Json.parse("{\"name\":\"auth\",\"isProtected\":true}"),
                Json.parse("{\"name\":\"storage\",\"isProtected\":true}"),
                Json.parse("{\"name\":\"system\",\"isProtected\":true}"),
                Json.parse("{\"name\":\"shop\",\"isProtected\":false}"));
        assertThat(schemas).extracting(s -> s.get("name").asText())
                .noneMatch(name -> name.startsWith("pg_") || name.equals("information_schema"));
    }

    @Test
    void functionsOfASchema() {
        JsonNode functions = get("/api/database/functions?schema=shop").get("functions");

        assertThat(functions).extracting(f -> f.get("functionName").asText()).containsExactly("order_total", "touch");
        assertThat(functions.get(0).get("kind").asText()).isEqualTo("f");
        assertThat(functions.get(0).get("functionDef").asText()).contains("CREATE OR REPLACE FUNCTION shop.order_total");
        assertThat(get("/api/database/functions").get("functions")).isEmpty();
    }

    @Test
    void indexesOfASchemaWithoutUnderscoreTables() {
        JsonNode indexes = get("/api/database/indexes?schema=shop").get("indexes");

        assertThat(indexes).containsExactly(
                Json.parse("{\"tableName\":\"orders\",\"indexName\":\"orders_owner_total\",\"indexDef\":"
                        + "\"CREATE UNIQUE INDEX orders_owner_total ON shop.orders USING btree (owner, total)\",\"isUnique\":true,\"isPrimary\":false}"),
                Json.parse("{\"tableName\":\"orders\",\"indexName\":\"orders_pkey\",\"indexDef\":"
                        + "\"CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)\",\"isUnique\":true,\"isPrimary\":true}"));
        assertThat(get("/api/database/indexes").get("indexes")).extracting(i -> i.get("indexName").asText()).contains("notes_pkey");
    }

    @Test
    void policiesOfASchema() {
        assertThat(get("/api/database/policies?schema=shop").get("policies")).containsExactly(Json.parse(
                "{\"tableName\":\"orders\",\"policyName\":\"own_orders\",\"cmd\":\"SELECT\",\"roles\":[\"authenticated\"],"
                        + "\"qual\":\"(owner = auth.uid())\",\"withCheck\":null}"));
    }

    @Test
    void triggersOfASchemaOneRowPerEvent() {
        JsonNode triggers = get("/api/database/triggers?schema=shop").get("triggers");

        assertThat(triggers).extracting(t -> t.get("eventManipulation").asText()).containsExactly("INSERT", "UPDATE");
        assertThat(triggers.get(0)).isEqualTo(Json.parse("{\"tableName\":\"orders\",\"triggerName\":\"orders_touch\",\"actionTiming\":\"BEFORE\","
                + "\"eventManipulation\":\"INSERT\",\"actionOrientation\":\"ROW\",\"actionCondition\":null,"
                + "\"actionStatement\":\"EXECUTE FUNCTION shop.touch()\"}"));
        assertThat(get("/api/database/triggers").get("triggers")).extracting(t -> t.get("triggerName").asText())
                .containsExactly("notes_update_timestamp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"functions", "indexes", "policies", "triggers"})
    void listingsRefuseInternalSchemas(String listing) {
        HttpCall.Reply reply = server.get("/api/database/" + listing + "?schema=pg_catalog").header("x-api-key", server.apiKey()).send();

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("error").asText()).isEqualTo("INVALID_INPUT");
    }

    @Test
    void listingsAreForAdminsOnly() {
        Stream.of("schemas", "functions", "indexes", "policies", "triggers").forEach(listing -> {
            HttpCall.Reply anon = server.get("/api/database/" + listing).bearer(server.anonKey()).send();
            assertThat(anon.status()).isEqualTo(403);
            assertThat(anon.json().get("error").asText()).isEqualTo("AUTH_UNAUTHORIZED");
        });
    }
}
