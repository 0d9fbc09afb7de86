package dev.anvil.server.database.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lexer must find statement boundaries and words exactly where Postgres does. Each row is SQL
 * text and its tokens rendered as {@code TYPE:value}, joined by spaces.
 */
class SqlLexerTest {

    static Stream<Arguments> tokens() {
        return Stream.of(
                Arguments.of("SELECT 1", "WORD:select NUMBER:1"),
                Arguments.of("select a.b, \"Quoted \"\"x\"\"\" from t;", "WORD:select WORD:a DOT:. WORD:b COMMA:, QUOTED_IDENTIFIER:Quoted \"x\" WORD:from WORD:t SEMICOLON:;"),
                Arguments.of("select 'it''s; here'", "WORD:select STRING:it's; here"),
                Arguments.of("select 'a\\'; set role x", "WORD:select STRING:a\\ SEMICOLON:; WORD:set WORD:role WORD:x"),
                Arguments.of("select E'a\\'b;c'", "WORD:select STRING:a'b;c"),
                Arguments.of("select e'\\\\'; x", "WORD:select STRING:\\ SEMICOLON:; WORD:x"),
                Arguments.of("select E'\\x41\\101\\u0042\\n'", "WORD:select STRING:AAB\n"),
                Arguments.of("select N'abc'", "WORD:select STRING:abc"),
                Arguments.of("select B'0101', X'1f'", "WORD:select STRING:0101 COMMA:, STRING:1f"),
                Arguments.of("select $$a; 'b' $x$ ; $$", "WORD:select STRING:a; 'b' $x$ ; "),
                Arguments.of("select $fn$ body $$ still $fn$", "WORD:select STRING: body $$ still "),
                Arguments.of("select $_1$x$_1$", "WORD:select STRING:x"),
                Arguments.of("select a$$b from t", "WORD:select WORD:a$$b WORD:from WORD:t"),
                Arguments.of("select $1, $22", "WORD:select PARAMETER:1 COMMA:, PARAMETER:22"),
                Arguments.of("select 1 -- set role x\n; y", "WORD:select NUMBER:1 SEMICOLON:; WORD:y"),
                Arguments.of("select 1 -- comment ends at CR\r; y", "WORD:select NUMBER:1 SEMICOLON:; WORD:y"),
                Arguments.of("select /* a /* nested */ still; */ 1", "WORD:select NUMBER:1"),
                Arguments.of("select 1 +-- comment\n2", "WORD:select NUMBER:1 OPERATOR:+ NUMBER:2"),
                Arguments.of("select 1 */ 2", "WORD:select NUMBER:1 OPERATOR:* OPERATOR:/ NUMBER:2"),
                Arguments.of("SET U&\"rol\\0065\" TO x", "WORD:set QUOTED_IDENTIFIER:role WORD:to WORD:x"),
                Arguments.of("SET U&\"rol!0065\" /* c */ UESCAPE '!' TO x", "WORD:set QUOTED_IDENTIFIER:role WORD:to WORD:x"),
                Arguments.of("select U&'\\+01F600 ok'", "WORD:select STRING:\uD83D\uDE00 ok"),
                Arguments.of("select u&'a''b'", "WORD:select STRING:a'b"),
                Arguments.of("select data ?| array['a'] from t", "WORD:select WORD:data OPERATOR:? OPERATOR:| WORD:array OTHER:[ STRING:a OTHER:] WORD:from WORD:t"),
                Arguments.of("SELECT\u00A0ROLE", "WORD:select\u00A0role"),
                Arguments.of("select 1.5e-3, .5, 0x1F", "WORD:select NUMBER:1.5e-3 COMMA:, NUMBER:.5 COMMA:, NUMBER:0x1F"),
                Arguments.of("select ÄBC", "WORD:select WORD:Äbc"),
                Arguments.of("select x::int[]", "WORD:select WORD:x OPERATOR:: OPERATOR:: WORD:int OTHER:[ OTHER:]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokens")
    void tokenizesLikePostgres(String sql, String expected) throws SqlSyntaxException {
        assertThat(render(SqlLexer.tokenize(sql))).isEqualTo(expected);
    }

    static Stream<Arguments> unterminated() {
        return Stream.of(
                Arguments.of("select 'abc", "unterminated quoted string"),
                Arguments.of("select E'abc\\'", "unterminated quoted string"),
                Arguments.of("select \"abc", "unterminated quoted identifier"),
                Arguments.of("select $$abc", "unterminated dollar-quoted string"),
                Arguments.of("select $a$abc$b$", "unterminated dollar-quoted string"),
                Arguments.of("select /* a /* b */", "unterminated /* comment"),
                Arguments.of("select \"\"", "zero-length delimited identifier"),
                Arguments.of("select U&'\\zzzz'", "invalid Unicode escape"),
                Arguments.of("select B'01", "unterminated bit string literal"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unterminated")
    void refusesWhatPostgresCannotScan(String sql, String message) {
        assertThatThrownBy(() -> SqlLexer.tokenize(sql)).isInstanceOf(SqlSyntaxException.class).hasMessageStartingWith(message);
    }

    @Test
    void tokensKnowWhereTheyAreInTheSource() throws SqlSyntaxException {
        String sql = "select 'x' , $2";
        List<SqlToken> tokens = SqlLexer.tokenize(sql);

        assertThat(tokens).extracting(t -> sql.substring(t.start(), t.end())).containsExactly("select", "'x'", ",", "$2");
    }

    @Test
    void statementsSplitAtSemicolonsButNotInsideAtomicBodies() throws SqlSyntaxException {
        String sql = """
                select 1;;
                create or replace function f() returns int language sql
                begin atomic select case when true then 1 else 2 end; select 3; end;
                -- only a comment;
                set role postgres
                """;
        List<SqlStatements.Statement> statements = SqlStatements.parse(sql);

        assertThat(statements).extracting(SqlStatements.Statement::keyword).containsExactly("select", "create", "set");
        assertThat(statements.get(1).atomicBody()).extracting(s -> render(s.tokens()))
                .containsExactly("WORD:select WORD:case WORD:when WORD:true WORD:then NUMBER:1 WORD:else NUMBER:2 WORD:end",
                        "WORD:select NUMBER:3");
    }

    @Test
    void beginOutsideARoutineIsAStatementOfItsOwn() throws SqlSyntaxException {
        assertThat(SqlStatements.parse("begin; select 1; commit")).extracting(SqlStatements.Statement::keyword)
                .containsExactly("begin", "select", "commit");
    }

    static String render(List<SqlToken> tokens) {
        return tokens.stream().map(t -> t.type() + ":" + t.value()).collect(Collectors.joining(" "));
    }
}
