package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes (PostgREST 12's "Insert", "Update", "Upsert", "Delete", "Prefer" headers) through InsForge's
 * records route: status codes, {@code Location}, {@code Content-Range}, {@code Preference-Applied},
 * return=minimal/headers-only/representation, {@code columns}, {@code missing=default}, upserts,
 * PUT, {@code tx=rollback}, {@code max-affected}, single-object writes, and InsForge's own rules
 * (empty body as {@code []}, empty strings dropped for non-text columns).
 */
class RecordsWriteTest extends FilmsServerTest {



    @BeforeEach
    void emptyItems() {
        FilmsDatabase.sql(server, "TRUNCATE items RESTART IDENTITY; INSERT INTO items (name, price, qty, code) VALUES "
                + "('apple', 1.5, 3, 'A'), ('pear', 2, 1, 'P'), ('plum', 0.5, 10, 'L')");
    }

    long count(String where) {
        return api.get("items?select=id&" + where, "Prefer", "count=exact").header("Content-Range")
                .map(r -> Long.parseLong(r.substring(r.indexOf('/') + 1))).orElseThrow();
    }

    static final String REPRESENTATION = "return=representation";

    @Test
    void insertWithoutPreferAnswers201AndInsForgesEmptyArray() {
        HttpCall.Reply reply = api.post("items", "{\"name\":\"fig\"}");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.text()).isEqualTo("[]");
        assertThat(reply.header("Content-Range")).hasValue("*/*");
        assertThat(reply.header("Location")).isEmpty();
        assertThat(count("name=eq.fig")).isEqualTo(1);
    }

    @Test
    void insertReturningRepresentation() {
        HttpCall.Reply reply = api.post("items?select=id,name,price,total", "{\"name\":\"fig\",\"price\":2,\"qty\":2}",
                "Prefer", REPRESENTATION);
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("Preference-Applied")).hasValue("return=representation");
        assertThat(reply.header("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"id\":4,\"name\":\"fig\",\"price\":2,\"total\":4}]"));
    }

    @Test
    void insertHeadersOnlyGivesLocation() {
        HttpCall.Reply reply = api.post("items", "{\"name\":\"fig\"}", "Prefer", "return=headers-only");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("Location")).hasValue("/items?id=eq.4");
        assertThat(reply.header("Preference-Applied")).hasValue("return=headers-only");
    }

    @Test
    void bulkInsertWithCount() {
        HttpCall.Reply reply = api.post("items", "[{\"name\":\"a\",\"qty\":1},{\"name\":\"b\",\"qty\":2}]",
                "Prefer", "count=exact");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("Content-Range")).hasValue("*/2");
        assertThat(count("name=in.(a,b)")).isEqualTo(2);
    }

    @Test
    void bulkInsertNeedsMatchingKeysUnlessColumnsAreGiven() {
        assertError(api.post("items", "[{\"name\":\"a\"},{\"name\":\"b\",\"qty\":2}]"), 400, "PGRST102");
        HttpCall.Reply reply = api.post("items?columns=name,qty&select=name,qty,price",
                "[{\"name\":\"a\"},{\"name\":\"b\",\"qty\":2,\"ignored\":true}]", "Prefer", REPRESENTATION);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"name\":\"a\",\"qty\":null,\"price\":0},{\"name\":\"b\",\"qty\":2,\"price\":0}]"));
    }

    @Test
    void missingDefaultUsesColumnDefaults() {
        HttpCall.Reply reply = api.post("items?columns=name,qty,price&select=name,qty,price",
                "[{\"name\":\"a\"},{\"name\":\"b\",\"qty\":7,\"price\":null}]",
                "Prefer", "missing=default, return=representation");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"name\":\"a\",\"qty\":1,\"price\":0},{\"name\":\"b\",\"qty\":7,\"price\":null}]"));
        assertThat(reply.header("Preference-Applied")).hasValue("missing=default, return=representation");
    }

    @Test
    void emptyObjectInsertsDefaults() {
        HttpCall.Reply reply = api.post("documents?select=body", "{}", "Prefer", REPRESENTATION);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"body\":null}]"));
        assertThat(api.post("items", "[]").status()).isEqualTo(201);
    }

    @Test
    void insForgeDropsEmptyStringsForNonTextColumns() {
        HttpCall.Reply reply = api.post("items?select=name,price,note", "{\"name\":\"fig\",\"price\":\"\",\"note\":\"\"}",
                "Prefer", REPRESENTATION);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"name\":\"fig\",\"price\":0,\"note\":\"\"}]"));
    }

    @Test
    void writeErrors() {
        HttpCall.Reply unknown = api.post("items", "{\"name\":\"x\",\"colour\":\"red\"}");
        assertError(unknown, 400, "PGRST204");
        assertThat(unknown.json().get("message").asText()).isEqualTo("Could not find the 'colour' column of 'items' in the schema cache");
        assertError(api.post("items", "{\"name\":\"x\",\"total\":5}"), 400, "428C9");
        assertError(api.post("items", "{\"price\":1}"), 400, "23502");
        assertError(api.post("items", "{\"name\":\"x\",\"code\":\"A\"}"), 409, "23505");
        assertError(api.post("items", "{\"name\":\"x\",\"qty\":\"many\"}"), 400, "22P02");
        assertError(api.post("items", "{\"name\": oops}"), 400, "PGRST102");
        assertError(api.post("items", "\"just a string\""), 400, "PGRST102");
        assertError(api.post("films", "{\"id\":9,\"title\":\"t\",\"director_id\":99}"), 409, "23503");
        assertThat(count("id=gt.0")).isEqualTo(3);
    }

    @Test
    void upsertMergesOnPrimaryKeyOrOnConflict() {
        HttpCall.Reply updated = api.post("items?on_conflict=code&select=name,code,price",
                "{\"name\":\"green apple\",\"code\":\"A\",\"price\":9}", "Prefer", "resolution=merge-duplicates, return=representation");
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json()).isEqualTo(Json.parse("[{\"name\":\"green apple\",\"code\":\"A\",\"price\":9}]"));
        assertThat(updated.header("Preference-Applied")).hasValue("resolution=merge-duplicates, return=representation");

        HttpCall.Reply mixed = api.post("items?on_conflict=code", "[{\"name\":\"x\",\"code\":\"A\"},{\"name\":\"new\",\"code\":\"N\"}]",
                "Prefer", "resolution=merge-duplicates");
        assertThat(mixed.status()).isEqualTo(201);
        assertThat(count("code=in.(A,N)")).isEqualTo(2);

        HttpCall.Reply byKey = api.post("items", "{\"id\":2,\"name\":\"pear2\",\"code\":\"P\"}", "Prefer", "resolution=merge-duplicates");
        assertThat(byKey.status()).isEqualTo(200);
        assertThat(column(api.get("items?select=name&id=eq.2"), "name")).containsExactly("pear2");
    }

    @Test
    void upsertIgnoringDuplicates() {
        HttpCall.Reply reply = api.post("items?on_conflict=code&select=code", "[{\"name\":\"x\",\"code\":\"A\"},{\"name\":\"y\",\"code\":\"Y\"}]",
                "Prefer", "resolution=ignore-duplicates, return=representation");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"code\":\"Y\"}]"));
        assertThat(column(api.get("items?select=name&code=eq.A"), "name")).containsExactly("apple");
    }

    @Test
    void upsertOnAColumnWithoutUniqueConstraintIs42P10() {
        assertError(api.post("items?on_conflict=name", "{\"name\":\"x\"}", "Prefer", "resolution=merge-duplicates"), 400, "42P10");
    }

    @Test
    void updateWithFilters() {
        HttpCall.Reply plain = api.patch("items?price=lt.2", "{\"qty\":0}");
        assertThat(plain.status()).isEqualTo(204);
        assertThat(plain.bytes()).isEmpty();
        assertThat(plain.header("Content-Range")).hasValue("0-1/*");
        HttpCall.Reply rep = api.patch("items?code=eq.P&select=name,qty", "{\"qty\":5,\"note\":\"ripe\"}", "Prefer", REPRESENTATION);
        assertThat(rep.status()).isEqualTo(200);
        assertThat(rep.json()).isEqualTo(Json.parse("[{\"name\":\"pear\",\"qty\":5}]"));
        HttpCall.Reply none = api.patch("items?id=eq.99", "{\"qty\":1}", "Prefer", REPRESENTATION + ", count=exact");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.text()).isEqualTo("[]");
        assertThat(none.header("Content-Range")).hasValue("*/0");
        assertThat(api.patch("items?id=eq.1", "{}").status()).isEqualTo(204);
        assertThat(column(api.get("items?select=qty&order=id"), "qty")).containsExactly("0", "5", "0");
    }

    @Test
    void updateRepresentationWithEmbeds() {
        HttpCall.Reply reply = api.patch("films?id=eq.3&select=title,directors(last_name)", "{\"language\":\"en-US\"}",
                "Prefer", REPRESENTATION);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"title\":\"Lady Bird\",\"directors\":{\"last_name\":\"Gerwig\"}}]"));
    }

    @Test
    void deleteWithFilters() {
        HttpCall.Reply plain = api.delete("items?code=eq.L");
        assertThat(plain.status()).isEqualTo(204);
        assertThat(plain.header("Content-Range")).hasValue("*/*");
        HttpCall.Reply rep = api.delete("items?code=eq.P&select=name", "Prefer", REPRESENTATION + ", count=exact");
        assertThat(rep.status()).isEqualTo(200);
        assertThat(rep.json()).isEqualTo(Json.parse("[{\"name\":\"pear\"}]"));
        assertThat(rep.header("Content-Range")).hasValue("*/1");
        assertThat(count("id=gt.0")).isEqualTo(1);
    }

    @Test
    void limitedUpdatesAndDeletes() {
        HttpCall.Reply updated = api.patch("items?order=price.desc&limit=1&select=name", "{\"note\":\"top\"}",
                "Prefer", REPRESENTATION);
        assertThat(updated.json()).isEqualTo(Json.parse("[{\"name\":\"pear\"}]"));
        assertThat(count("note=eq.top")).isEqualTo(1);
        HttpCall.Reply deleted = api.delete("items?order=id&limit=2&offset=1&select=code", "Prefer", REPRESENTATION);
        assertThat(deleted.json()).isEqualTo(Json.parse("[{\"code\":\"P\"},{\"code\":\"L\"}]"));
        assertThat(column(api.get("items?select=code"), "code")).containsExactly("A");
        assertError(api.patch("film_titles?limit=1", "{\"title\":\"x\"}"), 400, "PGRST127");
    }

    @Test
    void putUpsertsOneRowByPrimaryKey() {
        HttpCall.Reply inserted = api.put("items?id=eq.10&select=id,name", "{\"id\":10,\"name\":\"ten\"}", "Prefer", REPRESENTATION);
        assertThat(inserted.status()).as(inserted.toString()).isEqualTo(201);
        assertThat(inserted.json()).isEqualTo(Json.parse("[{\"id\":10,\"name\":\"ten\"}]"));
        HttpCall.Reply replaced = api.put("items?id=eq.10&select=name", "{\"id\":10,\"name\":\"TEN\"}", "Prefer", REPRESENTATION);
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(api.put("items?id=eq.10", "{\"id\":10,\"name\":\"ten again\"}").status()).isEqualTo(204);
        assertError(api.put("items?name=eq.x", "{\"id\":1,\"name\":\"x\"}"), 405, "PGRST105");
        assertError(api.put("items?id=gt.1", "{\"id\":1,\"name\":\"x\"}"), 405, "PGRST105");
        assertError(api.put("items?id=eq.11", "{\"id\":12,\"name\":\"x\"}"), 400, "PGRST115");
        assertError(api.put("items?id=eq.11", "{\"name\":\"no key\"}"), 400, "PGRST115");
        assertError(api.put("items?id=eq.11&limit=1", "{\"id\":11,\"name\":\"x\"}"), 400, "PGRST114");
        assertThat(count("id=in.(11,12)")).isZero();
    }

    @Test
    void rollbackPreferenceLeavesNothingBehind() {
        HttpCall.Reply reply = api.post("items?select=name", "{\"name\":\"ghost\"}", "Prefer", "tx=rollback, return=representation");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"name\":\"ghost\"}]"));
        assertThat(reply.header("Preference-Applied")).hasValue("return=representation, tx=rollback");
        assertThat(count("name=eq.ghost")).isZero();
        assertThat(api.delete("items", "Prefer", "tx=rollback").status()).isEqualTo(204);
        assertThat(count("id=gt.0")).isEqualTo(3);
    }

    @Test
    void maxAffectedRefusesLargerChanges() {
        HttpCall.Reply refused = api.patch("items?id=gt.0", "{\"qty\":9}", "Prefer", "handling=strict, max-affected=2");
        assertError(refused, 400, "PGRST124");
        assertThat(refused.json().get("details").asText()).isEqualTo("The query affects 3 rows");
        assertThat(count("qty=eq.9")).isZero();
        HttpCall.Reply allowed = api.delete("items?code=eq.A", "Prefer", "handling=strict, max-affected=1");
        assertThat(allowed.status()).isEqualTo(204);
        assertThat(allowed.header("Preference-Applied")).hasValue("handling=strict, max-affected=1");
        // Without handling=strict the preference is ignored, as in PostgREST.
        assertThat(api.patch("items?id=gt.0", "{\"qty\":9}", "Prefer", "max-affected=1").status()).isEqualTo(204);
    }

    @Test
    void singleObjectWritesRollBackWhenNotExactlyOne() {
        String object = "application/vnd.pgrst.object+json";
        HttpCall.Reply two = api.post("items?select=name", "[{\"name\":\"a\"},{\"name\":\"b\"}]", "Prefer", REPRESENTATION,
                "Accept", object);
        assertError(two, 406, "PGRST116");
        assertThat(count("name=in.(a,b)")).isZero();
        HttpCall.Reply one = api.post("items?select=name", "{\"name\":\"a\"}", "Prefer", REPRESENTATION, "Accept", object);
        assertThat(one.status()).isEqualTo(201);
        assertThat(one.json()).isEqualTo(Json.parse("{\"name\":\"a\"}"));
        assertError(api.patch("items?id=gt.0", "{\"qty\":2}", "Accept", object), 406, "PGRST116");
        assertThat(count("qty=eq.2")).isZero();
        assertError(api.delete("items?id=gt.0", "Accept", object), 406, "PGRST116");
        assertThat(count("id=gt.0")).isEqualTo(4);
    }

    @Test
    void strictHandlingRefusesUnknownPreferences() {
        HttpCall.Reply reply = api.post("items", "{\"name\":\"a\"}", "Prefer", "handling=strict, return=everything");
        assertError(reply, 400, "PGRST122");
        assertThat(reply.json().get("details").asText()).isEqualTo("Invalid preferences: return=everything");
        assertThat(api.post("items", "{\"name\":\"a\"}", "Prefer", "return=everything").status()).isEqualTo(201);
    }

    @Test
    void insertThroughAnUpdatableView() {
        HttpCall.Reply reply = api.post("film_titles?select=id,title", "{\"id\":99,\"title\":\"Tenet\",\"year\":2020}",
                "Prefer", REPRESENTATION);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(Json.parse("[{\"id\":99,\"title\":\"Tenet\"}]"));
        assertThat(api.delete("films?id=eq.99").status()).isEqualTo(204);
    }

    @Test
    void jsonValuesRoundTrip() {
        JsonNode data = Json.parse("{\"nested\":{\"list\":[1,2,{\"x\":null}]},\"quote\":\"it's \\\"quoted\\\"\",\"unicode\":\"日本\"}");
        HttpCall.Reply reply = api.post("items?select=data", Json.string(Json.object().put("name", "j").set("data", data)),
                "Prefer", REPRESENTATION);
        assertThat(reply.json().get(0).get("data")).isEqualTo(data);
        assertThat(api.get("items?select=data&data->nested->list->>0=eq.1").json().get(0).get("data")).isEqualTo(data);
    }

    @Test
    void largeBulkInsert() {
        StringBuilder rows = new StringBuilder("[");
        for (int i = 0; i < 2000; i++) {
            rows.append(i == 0 ? "" : ",").append("{\"name\":\"bulk ").append(i).append("\",\"qty\":").append(i).append('}');
        }
        HttpCall.Reply reply = api.post("items", rows.append(']').toString(), "Prefer", "count=exact");
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("Content-Range")).hasValue("*/2000");
    }
}
