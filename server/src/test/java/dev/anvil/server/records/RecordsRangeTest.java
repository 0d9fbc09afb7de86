package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ordering, limits and pagination (PostgREST 12's "Ordering", "Limits and Pagination" and
 * "Counting"): {@code order} with nulls first/last, {@code limit}/{@code offset}, the {@code Range}
 * header, {@code Content-Range}, {@code Prefer: count=exact|planned|estimated}, 206 and 416, HEAD.
 */
class RecordsRangeTest extends FilmsServerTest {



    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "order=year                       | 1,2,3,4,5",
            "order=year.asc                   | 1,2,3,4,5",
            "order=year.desc                  | 5,4,3,2,1",
            "order=year.desc.nullslast        | 4,3,2,1,5",
            "order=year.nullsfirst            | 5,1,2,3,4",
            "order=language,year.desc         | 3,2,1,4,5",
            "order=language.desc.nullsfirst,id | 5,4,1,2,3",
            "order=meta->budget.desc.nullslast | 2,4,3,1,5",
            "order=title&limit=2              | 2,3",
            "order=id&limit=2&offset=3        | 4,5",
            "order=id&offset=4                | 5",
            "order=id&limit=0                 | ''",
    })
    void ordering(String query, String ids) {
        var expected = ids.isEmpty() ? java.util.List.<String>of() : java.util.List.of(ids.split(","));
        assertThat(column(api.get("films?select=id&" + query), "id")).as(query).containsExactlyElementsOf(expected);
    }

    /** PostgREST's Content-Range and status for each range and count combination. */
    @ParameterizedTest(name = "{0} [{1}] {2} -> {3} {4}")
    @CsvSource(delimiter = '|', value = {
            // query                     | Range header | Prefer       | status | Content-Range
            "order=id                    |              |              | 200    | 0-4/*",
            "order=id                    |              | count=exact  | 200    | 0-4/5",
            "order=id&limit=2            |              | count=exact  | 206    | 0-1/5",
            "order=id&limit=2&offset=2   |              | count=exact  | 206    | 2-3/5",
            "order=id&limit=2&offset=2   |              |              | 200    | 2-3/*",
            "order=id                    | 0-1          | count=exact  | 206    | 0-1/5",
            "order=id                    | 1-3          |              | 200    | 1-3/*",
            "order=id                    | 3-           | count=exact  | 206    | 3-4/5",
            "order=id&limit=1            | 0-3          | count=exact  | 206    | 0-0/5",
            "order=id&offset=5           |              | count=exact  | 206    | */5",
            "order=id&offset=9           |              | count=exact  | 416    | */5",
            "order=id&offset=9           |              |              | 200    | */*",
            "id=gt.100                   |              | count=exact  | 200    | */0",
            "id=gt.100                   |              |              | 200    | */*",
            "order=id&limit=2            |              | count=planned   | 206 | 0-1/5",
            "order=id&limit=2            |              | count=estimated | 206 | 0-1/5",
    })
    void contentRange(String query, String range, String prefer, int status, String contentRange) {
        HttpCall call = api.call("GET", "films?select=id&" + query);
        if (range != null) {
            call.header("Range", range).header("Range-Unit", "items");
        }
        if (prefer != null) {
            call.header("Prefer", prefer);
        }
        HttpCall.Reply reply = call.send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        if (prefer == null || !prefer.startsWith("count=planned") && !prefer.startsWith("count=estimated")) {
            assertThat(reply.header("Content-Range")).hasValue(contentRange);
        } else {
            // the planner's estimate for a 5-row table: the range is exact, the total an estimate
            assertThat(reply.header("Content-Range").orElseThrow()).startsWith("0-1/");
        }
        if (prefer != null) {
            assertThat(reply.header("Preference-Applied")).hasValue(prefer);
        }
    }

    @Test
    void outOfRangeIs416WithPostgrestsBody() {
        HttpCall.Reply reply = api.get("films?offset=9", "Prefer", "count=exact");
        assertError(reply, 416, "PGRST103");
        assertThat(reply.json().get("message").asText()).isEqualTo("Requested range not satisfiable");
        assertThat(reply.json().get("details").asText()).isEqualTo("An offset of 9 was requested, but there are only 5 rows.");
    }

    @Test
    void invertedRangeHeaderIs416() {
        assertError(api.get("films", "Range", "3-1"), 416, "PGRST103");
    }

    @Test
    void exactCountFollowsFilters() {
        HttpCall.Reply reply = api.get("films?select=id&year=gt.2005&limit=1", "Prefer", "count=exact");
        assertThat(reply.status()).isEqualTo(206);
        assertThat(reply.header("Content-Range")).hasValue("0-0/3");
    }

    @Test
    void headHasTheHeadersAndNoBody() {
        HttpCall.Reply reply = api.head("films?select=id&limit=2", "Prefer", "count=exact");
        assertThat(reply.status()).isEqualTo(206);
        assertThat(reply.header("Content-Range")).hasValue("0-1/5");
        assertThat(reply.bytes()).isEmpty();
    }

    @Test
    void contentLocationIsTheCanonicalQuery() {
        HttpCall.Reply reply = api.get("films?select=id&order=id&id=eq.1");
        assertThat(reply.header("Content-Location")).hasValue("/films?id=eq.1&order=id&select=id");
    }

    @Test
    void bigTablesPaginate() {
        FilmsDatabase.sql(server, "CREATE TABLE numbers AS SELECT g AS n FROM generate_series(1, 1000) g; ANALYZE numbers;");
        HttpCall.Reply page = api.get("numbers?order=n&offset=990&limit=20", "Prefer", "count=exact");
        assertThat(page.status()).isEqualTo(206);
        assertThat(page.header("Content-Range")).hasValue("990-999/1000");
        assertThat(column(page, "n")).hasSize(10);
        HttpCall.Reply planned = api.get("numbers?limit=1", "Prefer", "count=planned");
        assertThat(planned.header("Content-Range")).hasValue("0-0/1000");
    }
}
