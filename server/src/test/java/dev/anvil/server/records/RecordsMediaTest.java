package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.Test;

/**
 * Response formats (PostgREST 12's "Resource Representation"): JSON arrays, singular objects with
 * PGRST116 unless exactly one row, CSV, {@code nulls=stripped}, and 406 for anything else.
 */
class RecordsMediaTest extends FilmsServerTest {



    @Test
    void jsonByDefault() {
        HttpCall.Reply reply = api.get("directors?select=id&id=eq.1");
        assertThat(reply.header("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"id\":1}]"));
    }

    @Test
    void singularObject() {
        HttpCall.Reply reply = api.get("directors?select=last_name&id=eq.2", "Accept", "application/vnd.pgrst.object+json");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).hasValue("application/vnd.pgrst.object+json; charset=utf-8");
        assertThat(reply.json()).isEqualTo(Json.parse("{\"last_name\":\"Gerwig\"}"));
    }

    @Test
    void singularWithZeroOrManyRowsIsPGRST116() {
        HttpCall.Reply none = api.get("directors?id=eq.99", "Accept", "application/vnd.pgrst.object+json");
        assertError(none, 406, "PGRST116");
        assertThat(none.json().get("message").asText()).isEqualTo("JSON object requested, multiple (or no) rows returned");
        assertThat(none.json().get("details").asText()).isEqualTo("The result contains 0 rows");
        HttpCall.Reply many = api.get("directors", "Accept", "application/vnd.pgrst.object+json");
        assertError(many, 406, "PGRST116");
        assertThat(many.json().get("details").asText()).isEqualTo("The result contains 3 rows");
    }

    @Test
    void csv() {
        HttpCall.Reply reply = api.get("directors?select=id,first_name,last_name&order=id", "Accept", "text/csv");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(reply.text()).isEqualTo("id,first_name,last_name\n1,Christopher,Nolan\n2,Greta,Gerwig\n3,Bong,Joon-ho");
        HttpCall.Reply quoted = api.get("films?select=title,tags&id=eq.3", "Accept", "text/csv");
        assertThat(quoted.text()).isEqualTo("title,tags\n\"Lady Bird\",\"{drama,comedy}\"");
    }

    @Test
    void nullsStripped() {
        HttpCall.Reply reply = api.get("films?select=id,year&id=eq.5", "Accept", "application/vnd.pgrst.array+json;nulls=stripped");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"id\":5}]"));
        HttpCall.Reply object = api.get("films?select=id,year&id=eq.5", "Accept", "application/vnd.pgrst.object+json;nulls=stripped");
        assertThat(object.json()).isEqualTo(Json.parse("{\"id\":5}"));
    }

    @Test
    void qualityValuesAndWildcards() {
        assertThat(api.get("directors?select=id&id=eq.1", "Accept", "text/html;q=0.9, text/csv").text()).isEqualTo("id\n1");
        assertThat(api.get("directors?select=id&id=eq.1", "Accept", "*/*").status()).isEqualTo(200);
    }

    @Test
    void unavailableMediaTypeIs406() {
        HttpCall.Reply reply = api.get("directors", "Accept", "text/html");
        assertError(reply, 406, "PGRST107");
        assertThat(reply.json().get("message").asText()).isEqualTo("None of these media types are available: text/html");
        assertError(api.get("directors", "Accept", "application/vnd.pgrst.plan+text; for=\"application/json\""), 406, "PGRST107");
    }
}
