package dev.anvil.server.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Safety (targets.md "Query input"): generated and mutated PostgREST query strings, headers and
 * bodies as admin, user and anon. None may get a 500, every error must have PostgREST's (or, before
 * the engine, InsForge's) shape, and Postgres must never locate an error of class 42 (syntax, an
 * undefined column, table, type, operator) in the statement text: that would mean SQL of our own
 * making was bad. (Class-42 errors raised while reading a bound value — a malformed tsquery — are
 * the caller's, and PostgREST answers them the same way.)
 *
 * <p>CI runs a deterministic few thousand cases; {@code benchmarks/records-fuzz/run.sh} runs
 * ≥ 100,000 with {@code -Drecords.fuzz.cases=… -Drecords.fuzz.seed=…}.
 */
class RecordsFuzzTest {

    static final int CASES = Integer.getInteger("records.fuzz.cases", 3000);
    static final long SEED = Long.getLong("records.fuzz.seed", 20261125L);

    @Test
    void noServerErrorsAndNoMalformedSql() throws Exception {
        try (TestServer server = TestServer.start("records_fuzz")) {
            FilmsDatabase.create(server);
            FilmsDatabase.sql(server, "CREATE SCHEMA analytics; GRANT USAGE ON SCHEMA analytics TO anon, authenticated;"
                    + "CREATE TABLE analytics.events (id int PRIMARY KEY);");
            server.anvil().records().reloadSchemaCache();
            List<String> credentials = List.of(server.apiKey(), server.anonKey(),
                    server.userToken(UUID.randomUUID().toString(), "fuzz@example.com"));
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            RecordsFuzzer fuzzer = new RecordsFuzzer(SEED);
            RecordsEngine engine = server.anvil().records();
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            Map<String, Long> sqlStates = new HashMap<>(engine.statementErrorCounts());
            for (int i = 0; i < CASES && failures.size() < 20; i++) {
                RecordsFuzzer.Case c = fuzzer.next();
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + c.path()))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + credentials.get(i % credentials.size()))
                        .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(c.body()));
                if (c.body() != null) {
                    request.header("Content-Type", "application/json");
                }
                c.headers().forEach((name, value) -> {
                    try {
                        request.header(name, value);
                    } catch (IllegalArgumentException refusedByTheClient) {
                        // a header value HttpClient will not send (control characters): skip it
                    }
                });
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                statuses.merge(response.statusCode(), 1, Integer::sum);
                String problem = check(response, c);
                Map<String, Long> now = engine.statementErrorCounts();
                for (Map.Entry<String, Long> state : now.entrySet()) {
                    if (state.getValue() > sqlStates.getOrDefault(state.getKey(), 0L)) {
                        problem = "Postgres error " + state.getKey() + " in our SQL: " + response.body();
                    }
                }
                sqlStates = new HashMap<>(now);
                if (problem != null) {
                    failures.add("#" + i + " " + c + "\n    -> " + response.statusCode() + " " + problem);
                }
            }
            System.out.println("records fuzz: " + CASES + " cases, seed " + SEED + ", statuses " + statuses
                    + ", Postgres errors by SQLSTATE " + engine.sqlErrorCounts()
                    + ", located in our SQL " + engine.statementErrorCounts());
            assertThat(failures).as("fuzz failures").isEmpty();
            assertThat(engine.statementErrorCounts()).isEmpty();
        }
    }

    /** Null when the response is acceptable, else what is wrong with it. */
    static String check(HttpResponse<String> response, RecordsFuzzer.Case c) {
        int status = response.statusCode();
        if (status >= 500) {
            return "server error: " + response.body();
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (c.method().equals("HEAD")) {
            return null; // no body to check
        }
        if (status >= 400) {
            try {
                JsonNode body = Json.parse(response.body());
                boolean postgrest = body.has("code") && body.has("message") && body.has("details") && body.has("hint");
                boolean insforge = body.has("error") && body.has("message") && body.has("statusCode");
                boolean raised = body.has("code") && body.has("message"); // RAISE SQLSTATE 'PGRST' bodies
                return postgrest || insforge || raised ? null : "error body without a known shape: " + response.body();
            } catch (RuntimeException e) {
                return "error body is not JSON: " + response.body();
            }
        }
        if (!c.method().equals("HEAD") && contentType.contains("json") && !response.body().isEmpty()) {
            try {
                Json.parse(response.body());
            } catch (RuntimeException e) {
                return "body is not JSON: " + response.body();
            }
        }
        return null;
    }
}
