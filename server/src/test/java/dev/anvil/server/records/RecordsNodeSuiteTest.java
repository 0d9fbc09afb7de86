package dev.anvil.server.records;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.anvil.server.testing.NodeSuite;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Runs server/src/test/node/records.test.mjs: the official {@code @insforge/sdk} 1.5.2 database
 * module and {@code @supabase/postgrest-js} against a real server with the films database, an RLS
 * table, a second schema and the PostgREST-wire mount.
 */
class RecordsNodeSuiteTest {

    static final String SECRET = "node-suite-jwt-secret-node-suite-jwt-secret";

    @Test
    void officialClientsWorkUnchanged() {
        try (TestServer server = TestServer.start("records_node", Map.of("ANVIL_POSTGREST_PATH", "/rest/v1", "JWT_SECRET", SECRET))) {
            FilmsDatabase.create(server);
            FilmsDatabase.sql(server, """
                    CREATE TABLE todos (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL DEFAULT auth.uid(),
                                        title text NOT NULL);
                    ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
                    CREATE POLICY own ON todos TO authenticated USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
                    CREATE TABLE vault (id int PRIMARY KEY);
                    REVOKE ALL ON vault FROM anon, authenticated;
                    CREATE SCHEMA analytics;
                    GRANT USAGE ON SCHEMA analytics TO anon, authenticated, project_admin;
                    CREATE TABLE analytics.events (id int PRIMARY KEY, kind text);
                    GRANT ALL ON analytics.events TO project_admin;
                    INSERT INTO analytics.events VALUES (1, 'click');
                    """);
            server.anvil().records().reloadSchemaCache();
            String a = UUID.randomUUID().toString();
            String b = UUID.randomUUID().toString();
            Map<String, String> env = new HashMap<>(NodeSuite.environmentFor(server));
            env.put("USER_A_ID", a);
            env.put("USER_A_TOKEN", server.userToken(a, "a@example.com"));
            env.put("USER_B_ID", b);
            env.put("USER_B_TOKEN", server.userToken(b, "b@example.com"));
            env.put("JWT_SECRET", SECRET);
            env.put("WIRE_PATH", "/rest/v1");
            NodeSuite.run("records.test.mjs", env);
        }
    }
}
