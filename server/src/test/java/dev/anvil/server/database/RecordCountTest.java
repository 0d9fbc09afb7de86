package dev.anvil.server.database;

import static dev.anvil.server.database.DatabaseProbe.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * {@code recordCount} of a table's schema is exact, but bounded: when counting cannot finish in
 * {@code ANVIL_TABLE_COUNT_TIMEOUT_SECONDS} (here the table is locked by another session) the
 * planner's estimate is answered instead of an error or a hang.
 */
class RecordCountTest {

    @Test
    void aCountThatTakesTooLongFallsBackToTheEstimate() throws Exception {
        try (TestServer server = TestServer.start("record_count", Map.of("ANVIL_TABLE_COUNT_TIMEOUT_SECONDS", "1"));
             DatabaseProbe probe = new DatabaseProbe(server)) {
            // the planner believes 1000 rows; there are 1500
            probe.execute("create table public.busy (id int) with (autovacuum_enabled = false)",
                    "insert into public.busy select generate_series(1, 1000)", "analyze public.busy",
                    "insert into public.busy select generate_series(1001, 1500)");
            String path = "/api/database/tables/busy/schema";
            assertThat(okJson(server.get(path).header("x-api-key", server.apiKey()).send()).get("recordCount").asLong()).isEqualTo(1500);

            try (Connection locker = DriverManager.getConnection(server.database().jdbcUrl(), server.database().user(),
                    server.database().password()); Statement lock = locker.createStatement()) {
                locker.setAutoCommit(false);
                lock.execute("lock table public.busy in access exclusive mode");

                JsonNode schema = okJson(server.get(path).header("x-api-key", server.apiKey()).send());

                assertThat(schema.get("recordCount").asLong()).isEqualTo(1000);
                assertThat(schema.get("columns")).hasSize(1);
                locker.rollback();
            }
        }
    }
}
