package dev.anvil.server.records;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import dev.anvil.server.testing.TestServer;

/**
 * The films database PostgREST's documentation uses for its examples (resource embedding, filters),
 * plus a few tables for writes and RLS. Created with SQL, as an app would with raw SQL.
 */
final class FilmsDatabase {

    static final String SCHEMA = """
            CREATE TABLE directors (id int PRIMARY KEY, first_name text, last_name text);
            CREATE TABLE films (id int PRIMARY KEY, director_id int REFERENCES directors (id), title text NOT NULL,
                                year int, rating numeric(3,1), language text, tags text[], meta jsonb, summary text,
                                released date, duration int4range, available boolean);
            CREATE TABLE actors (id int PRIMARY KEY, first_name text, last_name text);
            CREATE TABLE roles (film_id int REFERENCES films (id), actor_id int REFERENCES actors (id), character text,
                                PRIMARY KEY (film_id, actor_id));
            CREATE TABLE technical_specs (film_id int PRIMARY KEY REFERENCES films (id), runtime interval, camera text);
            CREATE TABLE competitions (id int PRIMARY KEY, name text, year int);
            CREATE TABLE nominations (id int PRIMARY KEY, competition_id int REFERENCES competitions (id),
                                      film_id int REFERENCES films (id), rank int);
            CREATE TABLE addresses (id int PRIMARY KEY, street text, city text);
            CREATE TABLE orders (id int PRIMARY KEY, name text,
                                 billing_address_id int CONSTRAINT billing REFERENCES addresses (id),
                                 shipping_address_id int CONSTRAINT shipping REFERENCES addresses (id));
            CREATE TABLE employees (id int PRIMARY KEY, name text, manager_id int REFERENCES employees (id));
            CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, price numeric DEFAULT 0, qty int DEFAULT 1,
                                note text, code text UNIQUE, data jsonb, created_at timestamptz DEFAULT now(),
                                total numeric GENERATED ALWAYS AS (price * qty) STORED);
            CREATE TABLE documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text, tsv tsvector);
            CREATE VIEW film_titles AS SELECT id, title, year FROM films;

            INSERT INTO directors VALUES (1, 'Christopher', 'Nolan'), (2, 'Greta', 'Gerwig'), (3, 'Bong', 'Joon-ho');
            INSERT INTO films VALUES
              (1, 1, 'Memento', 2000, 8.4, 'en', '{thriller,mystery}', '{"budget": 9, "studio": {"name": "Newmarket"}}',
               'A man with short-term memory loss', '2000-09-05', '[100,120)', true),
              (2, 1, 'Inception', 2010, 8.8, 'en', '{scifi,thriller}', '{"budget": 160, "studio": {"name": "Warner"}}',
               'A thief who steals corporate secrets through dream-sharing', '2010-07-16', '[140,150)', true),
              (3, 2, 'Lady Bird', 2017, 7.4, 'en', '{drama,comedy}', '{"budget": 10}',
               'A teenager navigates a loving but turbulent relationship', '2017-11-03', '[90,100)', false),
              (4, 3, 'Parasite', 2019, 8.5, 'ko', '{thriller,drama}', '{"budget": 11, "studio": {"name": "Barunson"}}',
               'Greed and class discrimination threaten a symbiotic relationship', '2019-05-30', '[130,140)', true),
              (5, NULL, 'Untitled', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO actors VALUES (1, 'Guy', 'Pearce'), (2, 'Leonardo', 'DiCaprio'), (3, 'Saoirse', 'Ronan'),
              (4, 'Song', 'Kang-ho'), (5, 'Elliot', 'Page');
            INSERT INTO roles VALUES (1, 1, 'Leonard'), (2, 2, 'Cobb'), (2, 5, 'Ariadne'), (3, 3, 'Christine'),
              (4, 4, 'Ki-taek');
            INSERT INTO technical_specs VALUES (1, '113 minutes', 'Panavision'), (2, '148 minutes', 'Panavision');
            INSERT INTO competitions VALUES (1, 'Oscars', 2011), (2, 'Oscars', 2020), (3, 'Cannes', 2019);
            INSERT INTO nominations VALUES (1, 1, 2, 1), (2, 2, 4, 1), (3, 3, 4, 1), (4, 2, 3, 2);
            INSERT INTO addresses VALUES (1, 'Main St 1', 'Springfield'), (2, 'Elm St 2', 'Shelbyville');
            INSERT INTO orders VALUES (1, 'first', 1, 2), (2, 'second', 2, 2);
            INSERT INTO employees VALUES (1, 'boss', NULL), (2, 'worker', 1), (3, 'intern', 2);
            INSERT INTO documents (body, tsv) VALUES ('the quick brown fox', to_tsvector('english', 'the quick brown fox')),
              ('jumps over the lazy dog', to_tsvector('english', 'jumps over the lazy dog'));

            CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
            CREATE FUNCTION films_after(after int) RETURNS SETOF films LANGUAGE sql STABLE AS
              $$ SELECT * FROM films WHERE year > after ORDER BY id $$;
            CREATE FUNCTION best_film() RETURNS films LANGUAGE sql STABLE AS $$ SELECT * FROM films ORDER BY rating DESC NULLS LAST LIMIT 1 $$;
            CREATE FUNCTION years() RETURNS SETOF int LANGUAGE sql STABLE AS $$ SELECT DISTINCT year FROM films WHERE year IS NOT NULL ORDER BY 1 $$;
            CREATE FUNCTION ping() RETURNS void LANGUAGE sql AS $$ SELECT $$;
            CREATE FUNCTION echo(payload jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT payload $$;
            CREATE FUNCTION whole_body(jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;
            CREATE FUNCTION stats(OUT films int, OUT actors int) LANGUAGE sql STABLE AS
              $$ SELECT (SELECT count(*)::int FROM films), (SELECT count(*)::int FROM actors) $$;
            CREATE FUNCTION new_director(first text, last text) RETURNS directors LANGUAGE sql VOLATILE AS
              $$ INSERT INTO directors (id, first_name, last_name) VALUES ((SELECT max(id) + 1 FROM directors), first, last) RETURNING * $$;
            CREATE FUNCTION fail(msg text) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', msg; END $$;
            CREATE FUNCTION teapot() RETURNS int LANGUAGE plpgsql AS $$
              BEGIN RAISE SQLSTATE 'PGRST' USING message = '{"code":"123","message":"I am a teapot","details":"short and stout","hint":"tip me over"}',
                detail = '{"status":418,"headers":{"X-Powered-By":"Tea"}}'; END $$;
            CREATE FUNCTION sum_all(VARIADIC nums int[]) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT sum(n)::int FROM unnest(nums) n $$;
            CREATE FUNCTION whoami() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_user::text $$;
            CREATE FUNCTION accepted_elsewhere() RETURNS int LANGUAGE plpgsql AS $$ BEGIN
              PERFORM set_config('response.status', '202', true);
              PERFORM set_config('response.headers', '[{"Location": "/elsewhere"}, {"X-Extra": "1"}]', true);
              RETURN 1; END $$;
            CREATE FUNCTION bad_headers() RETURNS int LANGUAGE plpgsql AS $$ BEGIN
              PERFORM set_config('response.headers', '{"not": "a list"}', true); RETURN 1; END $$;
            CREATE FUNCTION claims() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT auth.jwt() $$;
            """;

    private FilmsDatabase() {
    }

    static void create(TestServer server) {
        sql(server, SCHEMA);
        server.anvil().records().reloadSchemaCache();
    }

    /** Runs SQL as the database owner (superuser) in the server's database. */
    static void sql(TestServer server, String sql) {
        try (Connection connection = DriverManager.getConnection(server.database().jdbcUrl(), server.database().user(),
                server.database().password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
