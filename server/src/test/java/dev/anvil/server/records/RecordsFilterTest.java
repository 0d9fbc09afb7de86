package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import dev.anvil.server.testing.HttpCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Horizontal filtering (PostgREST 12's "Operators" table): every operator, {@code not.},
 * quantifiers, {@code or}/{@code and} nesting, JSON paths, and the errors a bad filter gets.
 * Each row: the filter part of the query, and the ids of the films it must return.
 */
class RecordsFilterTest extends FilmsServerTest {



    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "year=eq.2010                                   | 2",
            "year=neq.2010                                  | 1,3,4",
            "year=gt.2010                                   | 3,4",
            "year=gte.2010                                  | 2,3,4",
            "year=lt.2010                                   | 1",
            "year=lte.2010                                  | 1,2",
            "rating=gt.8.4                                  | 2,4",
            "released=gte.2017-01-01                        | 3,4",
            "title=like.M*                                  | 1",
            "title=like.*e                                  | 4",
            "title=ilike.m*                                 | 1",
            "title=like.%r%                                 | 3,4",
            "title=match.^[LP]                              | 3,4",
            "title=imatch.^l                                | 3",
            "year=like.20*                                  | 1,2,3,4",
            "year=is.null                                   | 5",
            "year=not.is.null                               | 1,2,3,4",
            "year=is.not_null                               | 1,2,3,4",
            "available=is.true                              | 1,2,4",
            "available=is.false                             | 3",
            "available=is.unknown                           | 5",
            "available=not.is.true                          | 3,5",
            "year=isdistinct.2010                           | 1,3,4,5",
            "title=in.(Memento,Parasite)                    | 1,4",
            "title=in.(\"Lady Bird\",\"a,b\")                | 3",
            "id=not.in.(1,2)                                | 3,4,5",
            "id=in.()                                       | ''",
            "tags=cs.{thriller}                             | 1,2,4",
            "tags=cd.{thriller,mystery,drama}               | 1,4",
            "tags=ov.{comedy,scifi}                         | 2,3",
            "meta=cs.{\"budget\":9}                          | 1",
            "meta=cd.{\"budget\":10,\"x\":1}                  | 3",
            "meta=eq.{\"budget\":10}                         | 3",
            "duration=sl.[125,200)                          | 1,3",
            "duration=sr.[100,130)                          | 2,4",
            "duration=nxr.[0,110)                           | 3",
            "duration=nxl.[135,200)                         | 2",
            "duration=adj.[120,130)                         | 1,4",
            "duration=cs.[141,142)                          | 2",
            "summary=fts.memory                             | 1",
            "summary=fts(english).steals                    | 2",
            "summary=plfts.dream sharing                    | 2",
            "summary=phfts(english).class discrimination    | 4",
            "summary=wfts.relationship -loving              | 4",
            "summary=not.fts.relationship                   | 1,2",
            "title=like(any).{M*,P*}                        | 1,4",
            "title=like(all).{*e*,*n*}                      | 1,2,5",
            "year=gt(all).{2000,2010}                       | 3,4",
            "year=eq(any).{2000,2019}                       | 1,4",
            "year=not.gt.2010                               | 1,2",
            "or=(year.eq.2000,rating.gt.8.6)                | 1,2",
            "or=(year.eq.2017,and(language.eq.ko,rating.gt.8)) | 3,4",
            "not.or=(year.eq.2000,year.is.null)             | 2,3,4",
            "and=(year.gt.2000,year.lt.2019)                | 2,3",
            "or=(id.in.(1,2),title.eq.Parasite)             | 1,2,4",
            "or=(title.eq.\"Lady Bird\",tags.cs.{mystery})   | 1,3",
            "or=(year.not.is.null,title.like.U*)&id=gt.3    | 4,5",
            "year=gte.2000&year=lte.2010                    | 1,2",
            "meta->>budget=eq.9                             | 1",
            "meta->budget=gt.50                             | 2",
            "meta->studio->>name=like.*er*                  | 2",
            "tags->>0=eq.drama                              | 3",
    })
    void filter(String filter, String ids) {
        List<String> expected = ids.isEmpty() ? List.of() : Arrays.asList(ids.split(","));
        assertThat(column(api.get("films?select=id&order=id&" + filter), "id")).as(filter).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "year=eq.abc                     | 400 | 22P02",
            "year=nope.1                     | 400 | PGRST100",
            "year=eq                         | 400 | PGRST100",
            "nope=eq.1                       | 400 | 42703",
            "year=cs.{1}                     | 404 | 42883",
            "title=sl.[1,2)                  | 404 | 42883",
            "tags=gt(any).{a,b}              | 404 | 42883",
            "meta->>studio->name=eq.x        | 404 | 42883",
            "title=is.true                   | 400 | 42804",
            "year=is.maybe                   | 400 | PGRST100",
            "summary=fts(klingon).x          | 400 | 42704",
            "or=(year.eq.1                   | 400 | PGRST100",
            "or=(year.eq.1,foo)              | 400 | PGRST100",
            "id=in.(1,2                      | 400 | PGRST100",
            "title=like(some).{a}            | 400 | PGRST100",
            "tags=cs.notanarray              | 400 | 22P02",
            "duration=adj.[3,1)              | 400 | 22000",
            "title=match.(                   | 400 | 2201B",
            "released=gt.2020-13-45          | 400 | 22008",
            "id=gt.99999999999999999999      | 400 | 22003",
            "limit=-1                        | 416 | PGRST103",
            "offset=-1                       | 400 | 2201X",
    })
    void badFilters(String filter, int status, String code) {
        HttpCall.Reply reply = api.get("films?select=id&" + filter);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.json().get("code").asText()).as(reply.toString()).startsWith(code.substring(0, 2));
        if (!code.equals("22000")) {
            assertError(reply, status, code);
        }
    }

    @Test
    void parseErrorHasPostgrestShape() {
        HttpCall.Reply reply = api.get("films?year=nope.1");
        assertError(reply, 400, "PGRST100");
        assertThat(reply.json().get("message").asText()).isEqualTo("\"failed to parse filter (nope.1)\" (line 1, column 1)");
        assertThat(reply.json().get("details").asText()).isEqualTo("unknown single value operator nope");
    }

    @Test
    void valuesAreNeverSql() {
        assertThat(column(api.get("films?select=id&title=eq.x' OR '1'='1"), "id")).isEmpty();
        assertThat(column(api.get("films?select=id&title=in.(\"x\\\") OR true --\")"), "id")).isEmpty();
        assertError(api.get("films?select=id&meta->>x'); DROP TABLE films; --=eq.1"), 400, "PGRST100");
        assertThat(column(api.get("films?select=id&meta->>\"x'); DROP TABLE films; --\"=eq.1"), "id")).isEmpty();
        assertThat(column(api.get("films?select=id&order=id"), "id")).hasSize(5);
    }

    @Test
    void quotedColumnNames() {
        FilmsDatabase.sql(server, "CREATE TABLE \"odd names\" (\"the id\" int PRIMARY KEY, \"a,b\" text, \"x\"\"y\" text);"
                + "INSERT INTO \"odd names\" VALUES (1, 'one', 'q'), (2, 'two', 'r');");
        HttpCall.Reply reply = api.get("odd names?select=\"the id\",\"a,b\",\"x\\\"y\"&\"a,b\"=eq.two");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get(0).get("the id").asInt()).isEqualTo(2);
        assertThat(reply.json().get(0).get("x\"y").asText()).isEqualTo("r");
    }
}
