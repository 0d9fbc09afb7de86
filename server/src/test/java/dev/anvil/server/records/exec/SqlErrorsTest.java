package dev.anvil.server.records.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PostgREST 12's SQLSTATE → HTTP status table. */
class SqlErrorsTest {

    @ParameterizedTest(name = "{0} (authenticated: {2}) -> {3}")
    @CsvSource(delimiter = '|', value = {
            "23505 | duplicate key                   | true  | 409",
            "23503 | fk                              | true  | 409",
            "23502 | not null                        | true  | 400",
            "42501 | permission denied               | false | 401",
            "42501 | permission denied               | true  | 403",
            "42P01 | relation does not exist         | true  | 404",
            "42883 | function f() does not exist     | true  | 404",
            "42883 | function xmlagg(x) does not exist | true | 406",
            "42703 | column does not exist           | true  | 400",
            "42P17 | infinite recursion              | true  | 500",
            "25006 | read-only transaction           | true  | 405",
            "22P02 | invalid input syntax            | true  | 400",
            "21000 | UPDATE requires a WHERE clause  | true  | 400",
            "21000 | more than one row               | true  | 500",
            "22023 | role \"x\" does not exist        | true  | 401",
            "22023 | other                           | true  | 400",
            "P0001 | raised                          | true  | 400",
            "P0002 | no data                         | true  | 500",
            "PT418 | teapot                          | true  | 418",
            "08006 | connection                      | true  | 503",
            "53300 | too many connections            | true  | 503",
            "53400 | config limit                    | true  | 500",
            "57014 | canceled                        | true  | 500",
            "57P01 | admin shutdown                  | true  | 503",
            "28000 | invalid authorization           | true  | 403",
            "0A000 | not supported                   | true  | 400",
            "XX000 | internal                        | true  | 500",
    })
    void status(String state, String message, boolean authenticated, int status) {
        assertThat(SqlErrors.statusFor(state, message, authenticated)).isEqualTo(status);
    }
}
