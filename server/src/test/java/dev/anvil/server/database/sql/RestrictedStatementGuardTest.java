package dev.anvil.server.database.sql;

import static dev.anvil.server.database.sql.RestrictedStatementGuard.DATABASE_MANAGEMENT;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.EXECUTION_ROLE;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.RESET_ALL;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.ROLE_MANAGEMENT;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.SEARCH_PATH;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.SET_CONFIG;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.STATEMENT_TIMEOUT;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.TRANSACTION_CONTROL;
import static dev.anvil.server.database.sql.RestrictedStatementGuard.UNVERIFIABLE_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every restricted class refused, in its plain form and in the disguises that fooled text-matching
 * guards (case, comments, quoting, Unicode escapes, multi-statement text, bodies, dynamic SQL) — and
 * the legitimate SQL that merely mentions the same words allowed.
 */
class RestrictedStatementGuardTest {

    static Stream<Arguments> refused() {
        return Stream.of(
                // database management
                Arguments.of("create database other", DATABASE_MANAGEMENT),
                Arguments.of("DROP DATABASE IF EXISTS other", DATABASE_MANAGEMENT),
                Arguments.of("alter database current set role = postgres", DATABASE_MANAGEMENT),
                Arguments.of("ALTER DATABASE x REFRESH COLLATION VERSION", DATABASE_MANAGEMENT),
                // role management
                Arguments.of("create role hacker superuser", ROLE_MANAGEMENT),
                Arguments.of("CREATE USER hacker", ROLE_MANAGEMENT),
                Arguments.of("create group g", ROLE_MANAGEMENT),
                Arguments.of("alter role project_admin superuser", ROLE_MANAGEMENT),
                Arguments.of("ALTER USER anon SET search_path = evil", ROLE_MANAGEMENT),
                Arguments.of("alter group g add user u", ROLE_MANAGEMENT),
                Arguments.of("drop role if exists anon", ROLE_MANAGEMENT),
                Arguments.of("drop user mapping_user", ROLE_MANAGEMENT),
                Arguments.of("grant postgres to project_admin", ROLE_MANAGEMENT),
                Arguments.of("GRANT pg_read_server_files TO anon WITH ADMIN OPTION", ROLE_MANAGEMENT),
                Arguments.of("revoke project_admin from postgres", ROLE_MANAGEMENT),
                Arguments.of("REVOKE ADMIN OPTION FOR project_admin FROM postgres", ROLE_MANAGEMENT),
                // execution role and session authorization
                Arguments.of("set role postgres", EXECUTION_ROLE),
                Arguments.of("SET LOCAL ROLE postgres", EXECUTION_ROLE),
                Arguments.of("set session role postgres", EXECUTION_ROLE),
                Arguments.of("set role none", EXECUTION_ROLE),
                Arguments.of("reset role", EXECUTION_ROLE),
                Arguments.of("SET SESSION AUTHORIZATION postgres", EXECUTION_ROLE),
                Arguments.of("set local session authorization default", EXECUTION_ROLE),
                Arguments.of("reset session authorization", EXECUTION_ROLE),
                Arguments.of("set session_authorization = postgres", EXECUTION_ROLE),
                Arguments.of("set \"role\" = 'postgres'", EXECUTION_ROLE),
                Arguments.of("set \"ROLE\" to postgres", EXECUTION_ROLE),
                Arguments.of("set U&\"rol\\0065\" = postgres", EXECUTION_ROLE),
                Arguments.of("set U&\"rol!0065\" uescape '!' = postgres", EXECUTION_ROLE),
                Arguments.of("SeT/**/RoLe/* x */postgres", EXECUTION_ROLE),
                Arguments.of("set\trole\npostgres", EXECUTION_ROLE),
                // search_path and statement_timeout
                Arguments.of("set search_path = evil, public", SEARCH_PATH),
                Arguments.of("SET LOCAL search_path TO evil", SEARCH_PATH),
                Arguments.of("set schema 'evil'", SEARCH_PATH),
                Arguments.of("reset search_path", SEARCH_PATH),
                Arguments.of("set \"Search_Path\" = evil", SEARCH_PATH),
                Arguments.of("set statement_timeout = 0", STATEMENT_TIMEOUT),
                Arguments.of("SET LOCAL statement_timeout TO '1h'", STATEMENT_TIMEOUT),
                Arguments.of("reset statement_timeout", STATEMENT_TIMEOUT),
                // RESET ALL and its equivalent
                Arguments.of("reset all", RESET_ALL),
                Arguments.of("DISCARD ALL", RESET_ALL),
                // transaction control
                Arguments.of("begin", TRANSACTION_CONTROL),
                Arguments.of("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE", TRANSACTION_CONTROL),
                Arguments.of("start transaction", TRANSACTION_CONTROL),
                Arguments.of("commit", TRANSACTION_CONTROL),
                Arguments.of("END", TRANSACTION_CONTROL),
                Arguments.of("rollback", TRANSACTION_CONTROL),
                Arguments.of("abort", TRANSACTION_CONTROL),
                Arguments.of("savepoint s1", TRANSACTION_CONTROL),
                Arguments.of("release savepoint s1", TRANSACTION_CONTROL),
                Arguments.of("rollback to savepoint s1", TRANSACTION_CONTROL),
                Arguments.of("prepare transaction 'x'", TRANSACTION_CONTROL),
                Arguments.of("commit prepared 'x'", TRANSACTION_CONTROL),
                // set_config, however it is reached
                Arguments.of("select set_config('role', 'postgres', true)", SET_CONFIG),
                Arguments.of("SELECT pg_catalog.set_config('role', 'postgres', false)", SET_CONFIG),
                Arguments.of("select \"set_config\"('role', 'postgres', false)", SET_CONFIG),
                Arguments.of("select set_config /* gap */ ('role', 'postgres', false)", SET_CONFIG),
                Arguments.of("select * from set_config('role', 'postgres', true)", SET_CONFIG),
                Arguments.of("create aggregate escape(text, bool) (sfunc = set_config, stype = text, initcond = 'role')", SET_CONFIG),
                Arguments.of("create aggregate escape(text, bool) (sfunc = 'pg_catalog.set_config', stype = text)", SET_CONFIG),
                Arguments.of("create policy p on t using (set_config('role', 'postgres', true) is not null)", SET_CONFIG),
                // multi-statement text: the restricted statement is not the first one
                Arguments.of("select 1; set role postgres", EXECUTION_ROLE),
                Arguments.of("select 1;set role postgres;select 2", EXECUTION_ROLE),
                Arguments.of("select 'x;'; commit; select 1", TRANSACTION_CONTROL),
                Arguments.of("select $$;$$; reset all", RESET_ALL),
                Arguments.of("select 1 -- comment\n; set role postgres", EXECUTION_ROLE),
                Arguments.of("select 1 /* ; */; drop database x", DATABASE_MANAGEMENT),
                Arguments.of("select 'a\\'; set role postgres; --'", EXECUTION_ROLE),
                Arguments.of("select e'\\\\'; set role postgres; --'", EXECUTION_ROLE),
                Arguments.of("select \"a;\"\"\"; set role postgres", EXECUTION_ROLE),
                // function and DO bodies are code
                Arguments.of("do $$ begin set role postgres; end $$", EXECUTION_ROLE),
                Arguments.of("DO LANGUAGE plpgsql $body$ BEGIN RESET ROLE; END $body$", EXECUTION_ROLE),
                Arguments.of("do 'begin perform set_config(''role'', ''postgres'', true); end'", SET_CONFIG),
                Arguments.of("do $$ begin if true then reset all; end if; end $$", RESET_ALL),
                Arguments.of("do $$ begin create role hacker; end $$", ROLE_MANAGEMENT),
                Arguments.of("do $$ declare r text; begin execute 'set role postgres'; end $$", EXECUTION_ROLE),
                Arguments.of("do $$ begin execute format('SET ROLE %I', 'postgres'); end $$", EXECUTION_ROLE),
                Arguments.of("do $$ begin execute 'alter role anon superuser'; end $$", ROLE_MANAGEMENT),
                Arguments.of("do $outer$ begin execute $inner$ do $x$ begin reset role; end $x$ $inner$; end $outer$", EXECUTION_ROLE),
                Arguments.of("do $$ begin loop set local role postgres; exit; end loop; end $$", EXECUTION_ROLE),
                Arguments.of("create function f() returns void language plpgsql as $$ begin set role postgres; end $$", EXECUTION_ROLE),
                Arguments.of("create or replace function f() returns text language sql as 'select set_config(''role'',''x'',true)'", SET_CONFIG),
                Arguments.of("create function f() returns void language sql as E'reset role'", EXECUTION_ROLE),
                Arguments.of("create procedure p() language plpgsql as $$ begin execute 'create database x'; end $$", DATABASE_MANAGEMENT),
                Arguments.of("create function f() returns int language sql begin atomic select set_config('role','x',true)::int; end", SET_CONFIG),
                // routines that run as another role
                Arguments.of("create function f() returns text language sql set role = 'postgres' as 'select 1'", EXECUTION_ROLE),
                Arguments.of("create function f() returns text language sql set session authorization postgres as 'select 1'", EXECUTION_ROLE),
                Arguments.of("alter function f() set role to postgres", EXECUTION_ROLE),
                Arguments.of("ALTER PROCEDURE p() SET \"session_authorization\" = postgres", EXECUTION_ROLE),
                Arguments.of("alter routine f set role = postgres", EXECUTION_ROLE),
                // bodies too deep or not scannable
                Arguments.of("do $$ begin execute 'select ''unterminated'; end $$", UNVERIFIABLE_BODY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refuses(String sql, String reason) throws SqlSyntaxException {
        assertThat(RestrictedStatementGuard.findViolation(sql)).contains(reason);
    }

    static Stream<String> allowed() {
        return Stream.of(
                "select 1",
                "select 'set role postgres; commit; drop database x'",
                "select $$ reset all $$, e'\\'; begin'",
                "select 1 -- set role postgres",
                "select 1 /* commit; drop database x */",
                "select \"set role\" from t",
                "comment on table t is 'BEGIN; SET ROLE postgres; COMMIT'",
                "update users set role = 'admin' where id = 1",
                "insert into t (role) values ('x') on conflict (id) do update set role = excluded.role",
                "select role, session_authorization, search_path from settings",
                "select set_config_value from t",
                "select current_setting('role')",
                "create table roles (id int, role text, \"database\" text)",
                "alter table t alter column role set default 'user'",
                "alter table t set schema other",
                "create user mapping for current_user server s",
                "create user mapping if not exists for public server s",
                "drop user mapping for current_user server s",
                "grant select on t to anon",
                "GRANT SELECT (id, role) ON t TO authenticated",
                "grant all on all tables in schema public to project_admin",
                "revoke grant option for select on t from anon",
                "alter default privileges in schema public grant select on tables to anon",
                "set timezone = 'UTC'",
                "SET LOCAL work_mem = '64MB'",
                "set my.role = 'x'",
                "set transaction isolation level repeatable read",
                "reset work_mem",
                "discard temp",
                "prepare q as select 1",
                "explain analyze select 1",
                "create function f() returns void language plpgsql set search_path = public as $$ begin update t set role = 'x'; end $$",
                "create function f() returns int language sql begin atomic select case when true then 1 else 2 end; select 3; end",
                "create or replace function f() returns trigger language plpgsql as $$ begin new.updated_at = now(); return new; end $$",
                "create procedure p() language plpgsql as $$ begin commit; end $$",
                "do $$ begin raise notice 'set role is not allowed; begin; commit'; end $$",
                "do $$ begin execute 'update t set role = ''x'''; end $$",
                "create function f() returns int language c as 'lib', 'symbol'",
                "select data ? 'key' from t",
                "create table t (begin_at int, end_at int)",
                "create table \"begin\" (x int)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowed")
    void allows(String sql) throws SqlSyntaxException {
        assertThat(RestrictedStatementGuard.findViolation(sql)).isEqualTo(Optional.empty());
    }

    /**
     * Generated texts: harmless statements, restricted statements hidden inside every kind of
     * literal and comment (must pass), and now and then a restricted statement placed between them
     * (must be caught). 5,000 texts from a fixed seed, so a failure reproduces.
     */
    @Test
    void restrictedStatementsAreFoundExactlyWhenTheyAreCode() throws SqlSyntaxException {
        List<String> payloads = List.of("; set role postgres; ", ";SET ROLE none;", "; commit; ", "; reset all; ",
                "; select set_config('x', 'y', true); ".replace("'", ""), "; begin; ");
        List<String> hidingPlaces = List.of("select '%s'", "select E'%s'", "select $$%s$$", "select $tag_1$%s$tag_1$",
                "select 1 /* %s */", "select 1 -- %s\n", "select \"%s\" from t", "select U&'%s'", "comment on table t is '%s'",
                "select 1 /* outer /* %s */ still comment */", "do $body$ begin raise notice '%s'; end $body$");
        List<String> harmless = List.of("select 1", "select 'a''b'", "select e'\\''", "select $q$;$q$", "update t set role = 'x'",
                "/* c */ select 2", "-- c\nselect 3", "insert into t values ('; set role x')", "select \"begin\" from t");
        Random random = new Random(20261125L);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder sql = new StringBuilder();
            boolean exposed = false;
            int pieces = 1 + random.nextInt(5);
            for (int i = 0; i < pieces; i++) {
                int kind = random.nextInt(10);
                String payload = payloads.get(random.nextInt(payloads.size()));
                if (kind < 4) {
                    sql.append(harmless.get(random.nextInt(harmless.size())));
                } else if (kind < 9) {
                    sql.append(String.format(hidingPlaces.get(random.nextInt(hidingPlaces.size())), payload.replace(";", random.nextBoolean() ? ";" : " ; ")));
                } else {
                    sql.append(payload.strip().substring(1));
                    exposed = true;
                }
                sql.append(random.nextBoolean() ? ";\n" : " ; ");
            }
            Optional<String> violation = RestrictedStatementGuard.findViolation(sql.toString());
            assertThat(violation.isPresent()).as("%s", sql).isEqualTo(exposed);
        }
    }
}
