package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.Test;

/**
 * Functions through {@code /api/database/rpc/{fn}} (PostgREST 12's "Functions as RPC", contract
 * §3.3): POST with named arguments, GET with query arguments, scalar / set / row / void results,
 * filters and select on results, a single JSON body parameter, variadic arguments, read-only GET,
 * errors raised in functions (including {@code RAISE SQLSTATE 'PGRST'}), and InsForge's
 * "empty body becomes null".
 */
class RecordsRpcTest extends FilmsServerTest {

    Api rpc() {
        return api.rpc();
    }



    @Test
    void scalarByPostAndByGet() {
        HttpCall.Reply post = rpc().post("add", "{\"a\":2,\"b\":3}");
        assertThat(post.status()).isEqualTo(200);
        assertThat(post.text()).isEqualTo("5");
        assertThat(post.header("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(rpc().get("add?a=40&b=2").text()).isEqualTo("42");
    }

    @Test
    void setOfRowsWithSelectFiltersOrderAndRange() {
        HttpCall.Reply reply = rpc().get("films_after?after=2000&select=title,year&year=lt.2019&order=year.desc", "Prefer", "count=exact");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"title\":\"Lady Bird\",\"year\":2017},{\"title\":\"Inception\",\"year\":2010}]"));
        assertThat(reply.header("Content-Range")).hasValue("0-1/2");
        HttpCall.Reply page = rpc().post("films_after?select=id&limit=1&offset=1", "{\"after\":2000}", "Prefer", "count=exact");
        assertThat(page.status()).isEqualTo(206);
        assertThat(page.header("Content-Range")).hasValue("1-1/3");
    }

    @Test
    void singleRowIsAnObject() {
        assertThat(rpc().post("best_film?select=title", "{}").json()).isEqualTo(Json.parse("{\"title\":\"Inception\"}"));
        assertThat(rpc().get("stats").json()).isEqualTo(Json.parse("{\"films\":5,\"actors\":5}"));
    }

    @Test
    void countsOnScalarResults() {
        for (String count : new String[] {"exact", "planned", "estimated"}) {
            HttpCall.Reply reply = rpc().post("add", "{\"a\":1,\"b\":1}", "Prefer", "count=" + count);
            assertThat(reply.status()).as(count).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("2");
        }
    }

    @Test
    void setOfScalars() {
        assertThat(rpc().get("years").json()).isEqualTo(Json.parse("[2000,2010,2017,2019]"));
    }

    @Test
    void voidIs204AndStaysEmpty() {
        HttpCall.Reply reply = rpc().post("ping", "");
        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.bytes()).isEmpty();
    }

    @Test
    void jsonArgumentsAndSingleJsonBody() {
        assertThat(rpc().post("echo", "{\"payload\":{\"a\":[1,2]}}").json()).isEqualTo(Json.parse("{\"a\":[1,2]}"));
        assertThat(rpc().get("echo?payload={\"b\":true}").json()).isEqualTo(Json.parse("{\"b\":true}"));
        assertThat(rpc().post("whole_body", "{\"anything\":[1,{\"x\":2}]}").json()).isEqualTo(Json.parse("{\"anything\":[1,{\"x\":2}]}"));
    }

    @Test
    void variadicArguments() {
        assertThat(rpc().post("sum_all", "{\"nums\":[1,2,3]}").text()).isEqualTo("6");
        assertThat(rpc().get("sum_all?nums=1&nums=2&nums=4").text()).isEqualTo("7");
        assertThat(rpc().get("sum_all?nums={5,6}").text()).isEqualTo("11");
    }

    @Test
    void volatileFunctionsWriteOnPostButNotOnGet() {
        HttpCall.Reply created = rpc().post("new_director?select=first_name", "{\"first\":\"Agnes\",\"last\":\"Varda\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.json()).isEqualTo(Json.parse("{\"first_name\":\"Agnes\"}"));
        HttpCall.Reply readOnly = rpc().get("new_director?first=Jean&last=Vigo");
        assertError(readOnly, 405, "25006");
        assertThat(column(api.get("directors?select=last_name&last_name=eq.Vigo"), "last_name")).isEmpty();
    }

    @Test
    void rollbackPreferenceUndoesTheCall() {
        HttpCall.Reply reply = rpc().post("new_director", "{\"first\":\"Ghost\",\"last\":\"Writer\"}", "Prefer", "tx=rollback");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(column(api.get("directors?select=id&last_name=eq.Writer"), "id")).isEmpty();
    }

    @Test
    void unknownFunctionOrArgumentsIsPGRST202() {
        HttpCall.Reply missing = rpc().post("nope", "{\"a\":1}");
        assertError(missing, 404, "PGRST202");
        assertThat(missing.json().get("message").asText()).isEqualTo("Could not find the function public.nope(a) in the schema cache");
        assertError(rpc().post("add", "{\"a\":1,\"c\":2}"), 404, "PGRST202");
        assertError(rpc().post("add", "{\"a\":1}"), 404, "PGRST202");
        assertError(rpc().get("ping?x=1"), 404, "PGRST202");
    }

    @Test
    void overloadsThatTheArgumentsCannotChooseBetweenArePGRST203() {
        FilmsDatabase.sql(server, "CREATE FUNCTION twin(x int) RETURNS int LANGUAGE sql AS $$ SELECT x $$;"
                + "CREATE FUNCTION twin(x text) RETURNS int LANGUAGE sql AS $$ SELECT 0 $$;"
                + "CREATE FUNCTION twin(y int, z int DEFAULT 0) RETURNS int LANGUAGE sql AS $$ SELECT y * 2 + z $$;");
        server.anvil().records().reloadSchemaCache();
        assertError(rpc().post("twin", "{\"x\":1}"), 300, "PGRST203");
        assertThat(rpc().post("twin", "{\"y\":2}").text()).isEqualTo("4");
    }

    @Test
    void errorsRaisedByFunctions() {
        HttpCall.Reply raised = rpc().post("fail", "{\"msg\":\"nope\"}");
        assertError(raised, 400, "P0001");
        assertThat(raised.json().get("message").asText()).isEqualTo("nope");
        HttpCall.Reply teapot = rpc().post("teapot", "{}");
        assertThat(teapot.status()).isEqualTo(418);
        assertThat(teapot.header("X-Powered-By")).hasValue("Tea");
        assertThat(teapot.json()).isEqualTo(Json.parse(
                "{\"code\":\"123\",\"details\":\"short and stout\",\"hint\":\"tip me over\",\"message\":\"I am a teapot\"}"));
        assertError(rpc().post("add", "{\"a\":\"x\",\"b\":1}"), 400, "22P02");
    }

    @Test
    void functionsMaySetTheResponseStatusAndHeaders() {
        HttpCall.Reply reply = rpc().post("accepted_elsewhere", "{}");
        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.header("Location")).hasValue("/elsewhere");
        assertThat(reply.header("X-Extra")).hasValue("1");
        assertError(rpc().post("bad_headers", "{}"), 500, "PGRST111");
    }

    @Test
    void wrongMethodIsPGRST101() {
        HttpCall.Reply reply = rpc().call("PATCH", "add").json("{}").send();
        assertError(reply, 405, "PGRST101");
        assertThat(reply.json().get("message").asText()).isEqualTo("Cannot use the PATCH method on RPC");
    }

    @Test
    void functionsSeeTheCallersRoleAndClaims() {
        assertThat(rpc().get("whoami").text()).isEqualTo("\"project_admin\"");
        String user = "3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
        Api asUser = rpc().as(server.userToken(user, "u@example.com"));
        assertThat(asUser.get("whoami").text()).isEqualTo("\"authenticated\"");
        assertThat(asUser.get("claims").json().get("sub").asText()).isEqualTo(user);
        assertThat(rpc().as(server.anonKey()).get("whoami").text()).isEqualTo("\"anon\"");
    }

    @Test
    void headCallHasNoBody() {
        HttpCall.Reply reply = rpc().head("years");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.bytes()).isEmpty();
    }
}
