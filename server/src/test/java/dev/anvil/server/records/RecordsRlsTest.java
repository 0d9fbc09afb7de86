package dev.anvil.server.records;

import static dev.anvil.server.records.Api.assertError;
import static dev.anvil.server.records.Api.column;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each request runs as the caller's role with its claims (targets.md "Isolation"): with policies on
 * {@code auth.uid()}, user A cannot see, change or delete user B's rows; anon without a grant gets
 * 401, a user without a grant 403; the admin key bypasses RLS. Also checks that the role survives
 * pgjdbc switching to server-prepared statements (after five executions), where a lost
 * {@code set_config} would silently run as the superuser.
 */
class RecordsRlsTest {

    static final String A = UUID.randomUUID().toString();
    static final String B = UUID.randomUUID().toString();
    static TestServer server;
    static Api admin;
    static Api userA;
    static Api userB;
    static Api anon;

    @BeforeAll
    static void start() {
        server = TestServer.start("records_rls");
        FilmsDatabase.sql(server, """
                CREATE TABLE todos (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL DEFAULT auth.uid(),
                                    title text NOT NULL, done boolean NOT NULL DEFAULT false);
                ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
                CREATE POLICY own_select ON todos FOR SELECT TO authenticated USING (user_id = auth.uid());
                CREATE POLICY own_insert ON todos FOR INSERT TO authenticated WITH CHECK (user_id = auth.uid());
                CREATE POLICY own_update ON todos FOR UPDATE TO authenticated USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
                CREATE POLICY own_delete ON todos FOR DELETE TO authenticated USING (user_id = auth.uid());
                CREATE TABLE drop_box (id serial PRIMARY KEY, note text);
                ALTER TABLE drop_box ENABLE ROW LEVEL SECURITY;
                CREATE POLICY anyone_inserts ON drop_box FOR INSERT TO anon, authenticated WITH CHECK (true);
                CREATE TABLE vault (id int PRIMARY KEY, secret text);
                REVOKE ALL ON vault FROM anon, authenticated;
                INSERT INTO vault VALUES (1, 'gold');
                """);
        server.anvil().records().reloadSchemaCache();
        admin = new Api(server, server.apiKey());
        userA = admin.as(server.userToken(A, "a@example.com"));
        userB = admin.as(server.userToken(B, "b@example.com"));
        anon = admin.as(server.anonKey());
        assertThat(userA.post("todos", "[{\"title\":\"a1\"},{\"title\":\"a2\"}]").status()).isEqualTo(201);
        assertThat(userB.post("todos", "{\"title\":\"b1\"}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String idOf(Api api, String title) {
        return column(admin.get("todos?select=id&title=eq." + title), "id").get(0);
    }

    @Test
    void usersSeeOnlyTheirOwnRows() {
        // Ten times: the first five use one-shot statements, the rest pgjdbc's prepared ones.
        for (int i = 0; i < 10; i++) {
            assertThat(column(userA.get("todos?select=title&order=title"), "title")).containsExactly("a1", "a2");
            assertThat(column(userB.get("todos?select=title&order=title"), "title")).containsExactly("b1");
            assertThat(column(anon.get("todos?select=title"), "title")).isEmpty();
        }
        assertThat(column(admin.get("todos?select=title&order=title"), "title")).containsExactly("a1", "a2", "b1");
    }

    @Test
    void usersCannotChangeOrDeleteOthersRows() {
        String b1 = idOf(admin, "b1");
        for (int i = 0; i < 7; i++) {
            HttpCall.Reply update = userA.patch("todos?id=eq." + b1, "{\"title\":\"hacked\"}", "Prefer", "count=exact");
            assertThat(update.status()).isEqualTo(204);
            assertThat(update.header("Content-Range")).hasValue("*/0");
            assertThat(userA.delete("todos?id=eq." + b1, "Prefer", "count=exact").header("Content-Range")).hasValue("*/0");
        }
        assertThat(column(admin.get("todos?select=title&id=eq." + b1), "title")).containsExactly("b1");
        // Moving one's own row to someone else fails the WITH CHECK: 42501, 403 for a signed-in user.
        assertError(userA.patch("todos?title=eq.a1", "{\"user_id\":\"" + B + "\"}"), 403, "42501");
        assertError(userA.post("todos", "{\"title\":\"forged\",\"user_id\":\"" + B + "\"}"), 403, "42501");
        assertThat(column(admin.get("todos?select=title&user_id=eq." + B), "title")).containsExactly("b1");
    }

    @Test
    void rpcAndEmbedsAreUnderRlsToo() {
        FilmsDatabase.sql(server, "CREATE FUNCTION all_todos() RETURNS SETOF todos LANGUAGE sql STABLE AS $$ SELECT * FROM todos $$;");
        server.anvil().records().reloadSchemaCache();
        assertThat(column(userB.rpc().get("all_todos?select=title"), "title")).containsExactly("b1");
    }

    @Test
    void anonWithoutGrantIs401AndUserIs403() {
        HttpCall.Reply anonReply = anon.get("vault");
        assertError(anonReply, 401, "42501");
        assertThat(anonReply.header("WWW-Authenticate")).hasValue("Bearer");
        assertError(userA.get("vault"), 403, "42501");
        assertThat(admin.get("vault").status()).isEqualTo(200);
    }

    @Test
    void insertWithoutSelectPolicyWorksWhenNothingIsReturned() {
        assertThat(anon.post("drop_box", "{\"note\":\"hello\"}").status()).isEqualTo(201);
        // Returning the row needs a SELECT policy the table does not have.
        assertError(anon.post("drop_box", "{\"note\":\"x\"}", "Prefer", "return=representation"), 401, "42501");
        assertThat(column(admin.get("drop_box?select=note"), "note")).containsExactly("hello");
    }

    @Test
    void authUidIsInlinedIntoPoliciesAndKeepsItsMeaning() throws Exception {
        try (var connection = java.sql.DriverManager.getConnection(server.database().jdbcUrl(), server.database().user(),
                server.database().password()); var statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL ROLE authenticated");
            StringBuilder plan = new StringBuilder();
            for (String sub : new String[] {A, "local:admin", null}) {
                String claims = sub == null ? "{\"role\":\"anon\"}" : "{\"sub\":\"" + sub + "\",\"role\":\"authenticated\"}";
                statement.execute("SELECT set_config('request.jwt.claims', '" + claims + "', true)");
                try (var rows = statement.executeQuery("SELECT auth.uid()::text")) {
                    rows.next();
                    assertThat(rows.getString(1)).as(String.valueOf(sub)).isEqualTo(sub == A ? A : null);
                }
            }
            try (var rows = statement.executeQuery("EXPLAIN VERBOSE SELECT * FROM todos")) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            connection.rollback();
            // Inlined: the policy's filter holds the expression, not a call to a SQL function.
            assertThat(plan.toString()).contains("current_setting").doesNotContain("auth.uid()");
        }
    }

    @Test
    void readsAreReadOnlyTransactions() {
        FilmsDatabase.sql(server, "CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql VOLATILE AS "
                + "$$ INSERT INTO drop_box (note) VALUES ('sneaky') RETURNING id $$;");
        server.anvil().records().reloadSchemaCache();
        assertError(admin.rpc().get("sneaky"), 405, "25006");
        assertThat(column(admin.get("drop_box?select=note&note=eq.sneaky"), "note")).isEmpty();
    }
}
