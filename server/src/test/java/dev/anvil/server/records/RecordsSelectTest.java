package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Vertical filtering and resource embedding, following PostgREST 12's documentation ("Vertical
 * Filtering", "Resource Embedding") on its films database: columns, renames, casts, JSON paths,
 * many-to-one / one-to-many / many-to-many / one-to-one embeds, {@code !inner}, {@code !hint}
 * disambiguation, filters/order/limit on embedded resources, spreads, and the errors for each.
 */
class RecordsSelectTest extends FilmsServerTest {



    JsonNode json(HttpCall.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }

    static JsonNode parse(String json) {
        return Json.parse(json);
    }

    @Test
    void starSelectsEveryColumnInTableOrder() {
        JsonNode rows = json(api.get("directors?order=id"));
        assertThat(rows).isEqualTo(parse("""
                [{"id":1,"first_name":"Christopher","last_name":"Nolan"},
                 {"id":2,"first_name":"Greta","last_name":"Gerwig"},
                 {"id":3,"first_name":"Bong","last_name":"Joon-ho"}]"""));
        assertThat(rows.get(0).fieldNames()).toIterable().containsExactly("id", "first_name", "last_name");
    }

    @Test
    void columnsRenamesAndCasts() {
        JsonNode rows = json(api.get("films?select=title,fullYear:year,rating::text,id::text&id=eq.1"));
        assertThat(rows).isEqualTo(parse("[{\"title\":\"Memento\",\"fullYear\":2000,\"rating\":\"8.4\",\"id\":\"1\"}]"));
    }

    @Test
    void castWithoutADirectCastGoesThroughText() {
        // jsonb has no cast to date; PostgREST would fail with 42846, Anvil converts through text.
        JsonNode rows = json(api.get("films?select=released::text,summary::varchar&id=eq.2"));
        assertThat(rows.get(0).get("released").asText()).isEqualTo("2010-07-16");
    }

    @Test
    void aNameSelectedTwiceIsOutputOnce() {
        assertThat(json(api.get("films?select=id,id,title,...directors(title:last_name,id)&id=eq.1")))
                .isEqualTo(parse("[{\"id\":1,\"title\":\"Memento\"}]"));
    }

    @Test
    void unknownCastTypeIs42704() {
        assertError(api.get("films?select=title::nosuchtype"), 400, "42704");
    }

    @Test
    void jsonPathsNameTheOutputAfterTheLastKey() {
        JsonNode rows = json(api.get("films?select=id,meta->budget,meta->studio->>name,studio:meta->studio&id=in.(1,3)&order=id"));
        assertThat(rows).isEqualTo(parse("""
                [{"id":1,"budget":9,"name":"Newmarket","studio":{"name":"Newmarket"}},
                 {"id":3,"budget":10,"name":null,"studio":null}]"""));
    }

    @Test
    void jsonPathIntoArraysAndNonJsonColumns() {
        JsonNode rows = json(api.get("films?select=first_tag:tags->>0,last:tags->-1&id=eq.1"));
        assertThat(rows).isEqualTo(parse("[{\"first_tag\":\"thriller\",\"last\":\"mystery\"}]"));
    }

    @Test
    void emptySelectGivesEmptyObjects() {
        assertThat(json(api.get("directors?select="))).isEqualTo(parse("[{},{},{}]"));
    }

    @Test
    void unknownColumnIs42703() {
        HttpCall.Reply reply = api.get("films?select=title,nope");
        assertError(reply, 400, "42703");
        assertThat(reply.json().get("message").asText()).isEqualTo("column films.nope does not exist");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "films?select=title,directors(", "films?select=ti tle(", "films?select=title,,id", "films?select=id::",
            "films?select=a:b:c", "films?select=\"unterminated", "films?order=id.sideways", "films?select=id.count()"})
    void malformedSelectOrOrderIsPGRST100(String path) {
        HttpCall.Reply reply = api.get(path);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("code").asText()).as(reply.toString()).isIn("PGRST100", "PGRST123");
    }

    @Test
    void manyToOneEmbedsAnObject() {
        JsonNode rows = json(api.get("films?select=title,directors(id,last_name)&id=in.(1,5)&order=id"));
        assertThat(rows).isEqualTo(parse("""
                [{"title":"Memento","directors":{"id":1,"last_name":"Nolan"}},
                 {"title":"Untitled","directors":null}]"""));
    }

    @Test
    void oneToManyEmbedsAnArray() {
        JsonNode rows = json(api.get("directors?select=last_name,films(title)&order=id&films.order=id"));
        assertThat(rows).isEqualTo(parse("""
                [{"last_name":"Nolan","films":[{"title":"Memento"},{"title":"Inception"}]},
                 {"last_name":"Gerwig","films":[{"title":"Lady Bird"}]},
                 {"last_name":"Joon-ho","films":[{"title":"Parasite"}]}]"""));
    }

    @Test
    void manyToManyThroughJunctionTable() {
        JsonNode rows = json(api.get("actors?select=first_name,films(title)&id=in.(2,5)&order=id"));
        assertThat(rows).isEqualTo(parse("""
                [{"first_name":"Leonardo","films":[{"title":"Inception"}]},
                 {"first_name":"Elliot","films":[{"title":"Inception"}]}]"""));
        JsonNode film = json(api.get("films?select=title,actors(first_name)&id=eq.2&actors.order=first_name.desc"));
        assertThat(film).isEqualTo(parse("[{\"title\":\"Inception\",\"actors\":[{\"first_name\":\"Leonardo\"},{\"first_name\":\"Elliot\"}]}]"));
    }

    @Test
    void oneToOneEmbedsAnObjectFromBothSides() {
        assertThat(json(api.get("films?select=title,technical_specs(camera)&id=in.(1,3)&order=id"))).isEqualTo(parse("""
                [{"title":"Memento","technical_specs":{"camera":"Panavision"}},
                 {"title":"Lady Bird","technical_specs":null}]"""));
        assertThat(json(api.get("technical_specs?select=camera,films(title)&film_id=eq.2"))).isEqualTo(parse(
                "[{\"camera\":\"Panavision\",\"films\":{\"title\":\"Inception\"}}]"));
    }

    @Test
    void nestedEmbeds() {
        JsonNode rows = json(api.get("directors?select=last_name,films(title,actors(last_name))&id=eq.2"));
        assertThat(rows).isEqualTo(parse("[{\"last_name\":\"Gerwig\",\"films\":[{\"title\":\"Lady Bird\",\"actors\":[{\"last_name\":\"Ronan\"}]}]}]"));
    }

    @Test
    void embedAliasesAndHintsDisambiguate() {
        JsonNode rows = json(api.get("orders?select=name,billing:addresses!billing(city),shipping:addresses!shipping(city)&id=eq.1"));
        assertThat(rows).isEqualTo(parse("[{\"name\":\"first\",\"billing\":{\"city\":\"Springfield\"},\"shipping\":{\"city\":\"Shelbyville\"}}]"));
        // A hint may also be the foreign key column.
        JsonNode byColumn = json(api.get("orders?select=name,addresses!billing_address_id(city)&id=eq.1"));
        assertThat(byColumn.get(0).get("addresses").get("city").asText()).isEqualTo("Springfield");
    }

    @Test
    void ambiguousEmbedIsPGRST201WithTheCandidates() {
        HttpCall.Reply reply = api.get("orders?select=name,addresses(city)");
        assertError(reply, 300, "PGRST201");
        JsonNode body = reply.json();
        assertThat(body.get("message").asText()).isEqualTo(
                "Could not embed because more than one relationship was found for 'orders' and 'addresses'");
        assertThat(body.get("details")).hasSize(2);
        assertThat(body.get("details").get(0).get("cardinality").asText()).isEqualTo("many-to-one");
        assertThat(body.get("hint").asText()).contains("'addresses!billing'", "'addresses!shipping'");
    }

    @Test
    void selfReferenceNeedsAHint() {
        assertError(api.get("employees?select=name,employees(name)"), 300, "PGRST201");
        // PostgREST's documented recursive embeds: the parent by its column, the children by table!column.
        JsonNode rows = json(api.get("employees?select=name,manager:manager_id(name)&id=eq.3"));
        assertThat(rows).isEqualTo(parse("[{\"name\":\"intern\",\"manager\":{\"name\":\"worker\"}}]"));
        JsonNode reports = json(api.get("employees?select=name,reports:employees!manager_id(name)&id=eq.1"));
        assertThat(reports).isEqualTo(parse("[{\"name\":\"boss\",\"reports\":[{\"name\":\"worker\"}]}]"));
    }

    @Test
    void noRelationshipIsPGRST200() {
        HttpCall.Reply reply = api.get("films?select=title,competitions(name)");
        assertError(reply, 400, "PGRST200");
        assertThat(reply.json().get("message").asText())
                .isEqualTo("Could not find a relationship between 'films' and 'competitions' in the schema cache");
    }

    @Test
    void innerJoinFiltersTheParent() {
        List<String> titles = column(api.get("films?select=title,directors!inner(last_name)&directors.last_name=eq.Nolan&order=id"), "title");
        assertThat(titles).containsExactly("Memento", "Inception");
        // Without !inner the parent rows stay, with a null embed.
        assertThat(column(api.get("films?select=title,directors(last_name)&directors.last_name=eq.Nolan&order=id"), "title"))
                .containsExactly("Memento", "Inception", "Lady Bird", "Parasite", "Untitled");
    }

    @Test
    void innerJoinOnToManyAndCountsFollowIt() {
        HttpCall.Reply reply = api.get("films?select=title,nominations!inner(rank)&nominations.rank=eq.1&order=id",
                "Prefer", "count=exact");
        assertThat(column(reply, "title")).containsExactly("Inception", "Parasite");
        assertThat(reply.header("Content-Range")).contains("0-1/2");
    }

    @Test
    void nullFilterOnEmbeds() {
        assertThat(column(api.get("films?select=title,technical_specs()&technical_specs=not.is.null&order=id"), "title"))
                .containsExactly("Memento", "Inception");
        assertThat(column(api.get("films?select=title,nominations(id)&nominations=is.null&order=id"), "title"))
                .containsExactly("Memento", "Untitled");
        assertError(api.get("films?select=title,nominations(id)&nominations=eq.1"), 400, "PGRST120");
    }

    @Test
    void emptyEmbedFiltersWithoutShowingUp() {
        JsonNode rows = json(api.get("films?select=title,actors!inner()&actors.last_name=eq.Page"));
        assertThat(rows).isEqualTo(parse("[{\"title\":\"Inception\"}]"));
    }

    @Test
    void embeddedLimitOffsetAndOrder() {
        JsonNode rows = json(api.get("films?select=title,actors(first_name)&id=eq.2&actors.order=first_name&actors.limit=1&actors.offset=1"));
        assertThat(rows).isEqualTo(parse("[{\"title\":\"Inception\",\"actors\":[{\"first_name\":\"Leonardo\"}]}]"));
    }

    @Test
    void embeddedOrFilters() {
        JsonNode rows = json(api.get("directors?select=last_name,films(title)&id=eq.1&films.or=(year.lt.2005,title.eq.Nope)"));
        assertThat(rows).isEqualTo(parse("[{\"last_name\":\"Nolan\",\"films\":[{\"title\":\"Memento\"}]}]"));
    }

    @Test
    void filterOnAResourceNotSelectedIsPGRST108() {
        HttpCall.Reply reply = api.get("films?select=title&actors.first_name=eq.Guy");
        assertError(reply, 400, "PGRST108");
        assertThat(reply.json().get("message").asText()).isEqualTo("'actors' is not an embedded resource in this request");
    }

    @Test
    void relatedOrderOnToOne() {
        assertThat(column(api.get("films?select=title,directors(last_name)&directors=not.is.null&order=directors(last_name).desc,id"), "title"))
                .containsExactly("Memento", "Inception", "Parasite", "Lady Bird");
        assertError(api.get("directors?select=last_name,films(title)&order=films(title)"), 400, "PGRST118");
    }

    @Test
    void spreadLiftsToOneColumns() {
        JsonNode rows = json(api.get("films?select=title,...directors(director:last_name,first_name)&id=eq.4"));
        assertThat(rows).isEqualTo(parse("[{\"title\":\"Parasite\",\"director\":\"Joon-ho\",\"first_name\":\"Bong\"}]"));
        assertError(api.get("directors?select=last_name,...films(title)"), 400, "PGRST119");
    }

    @Test
    void embedsThroughViewsAndFromRpcResults() {
        JsonNode rows = json(api.get("film_titles?select=title&id=eq.3"));
        assertThat(rows).isEqualTo(parse("[{\"title\":\"Lady Bird\"}]"));
        JsonNode fromFunction = json(api.rpc().get("films_after?after=2015&select=title,directors(last_name)&order=id"));
        assertThat(fromFunction).isEqualTo(parse("""
                [{"title":"Lady Bird","directors":{"last_name":"Gerwig"}},
                 {"title":"Parasite","directors":{"last_name":"Joon-ho"}}]"""));
    }

    @Test
    void embeddingByForeignKeyName() {
        JsonNode rows = json(api.get("orders?select=name,billing(city)&id=eq.2"));
        assertThat(rows).isEqualTo(parse("[{\"name\":\"second\",\"billing\":{\"city\":\"Shelbyville\"}}]"));
    }
}
