package dev.anvil.server.platform;

import static dev.anvil.server.database.DatabaseProbe.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /api/docs} (contract §8): every doc type and every feature/language pair the MCP server's
 * enums allow answers a page written for Anvil, without credentials; anything else is 404
 * {@code DOCS_NOT_FOUND}. And the InsForge features Anvil lacks answer 501 pointing at their page.
 */
class DocsApiTest {

    /** shared-schemas 1.2.1 {@code docTypeSchema}. */
    static final List<String> DOC_TYPES = List.of("instructions", "auth-sdk", "db-sdk", "storage-sdk", "functions-sdk",
            "ai-integration-sdk", "real-time", "deployment", "payments");
    /** {@code sdkFeatureSchema} × {@code sdkLanguageSchema}. */
    static final List<String> FEATURES = List.of("db", "storage", "functions", "auth", "ai", "realtime", "payments");
    static final List<String> LANGUAGES = List.of("typescript", "swift", "kotlin", "rest-api");

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("docs");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode page(String path) {
        HttpCall.Reply reply = server.get(path).send();
        assertThat(reply.status()).as(path + " → " + reply).isEqualTo(200);
        return reply.json();
    }

    @ParameterizedTest
    @MethodSource("docTypes")
    void everyDocTypeIsAPage(String type) {
        JsonNode body = page("/api/docs/" + type);

        assertThat(body.get("type").asText()).isEqualTo(type);
        String content = body.get("content").asText();
        assertThat(content).startsWith("# ").contains("Anvil").hasSizeGreaterThan(400);
    }

    static Stream<String> docTypes() {
        return DOC_TYPES.stream();
    }

    static Stream<Arguments> sdkPages() {
        List<Arguments> pairs = new ArrayList<>();
        FEATURES.forEach(feature -> LANGUAGES.forEach(language -> pairs.add(Arguments.of(feature, language))));
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("sdkPages")
    void everyFeatureInEveryLanguageIsAPage(String feature, String language) {
        JsonNode body = page("/api/docs/" + feature + "/" + language);

        assertThat(body.get("type").asText()).isEqualTo(feature + "-" + language);
        String content = body.get("content").asText();
        assertThat(content).startsWith("# ").contains("Anvil");
        if (feature.equals("ai") || feature.equals("payments")) {
            assertThat(content).contains("not available on Anvil", "## Instead");
            return;
        }
        if (language.equals("typescript")) {
            assertThat(content).contains("@insforge/sdk", "http://localhost:7130");
        } else {
            assertThat(content).contains("/api/", "http://localhost:7130");
        }
        if (language.equals("swift") || language.equals("kotlin")) {
            assertThat(content).containsIgnoringCase(language).contains("not been tested against Anvil")
                    .contains(page("/api/docs/" + feature + "/rest-api").get("content").asText());
        }
    }

    @Test
    void theTypescriptPagesAreTheOnesTheLegacyDocTypesServe() {
        assertThat(page("/api/docs/db-sdk").get("content")).isEqualTo(page("/api/docs/db/typescript").get("content"));
        assertThat(page("/api/docs/real-time").get("content")).isEqualTo(page("/api/docs/realtime/typescript").get("content"));
        assertThat(page("/api/docs/ai-integration-sdk").get("content")).isEqualTo(page("/api/docs/ai/typescript").get("content"));
    }

    @Test
    void theInstructionsSayWhatIsAndIsNotHere() {
        String instructions = page("/api/docs/instructions").get("content").asText();

        assertThat(instructions).contains("@insforge/sdk", "get-anon-key", "ENABLE ROW LEVEL SECURITY", "auth.uid()",
                "Not available on Anvil", "run-raw-sql", "get-backend-metadata", "realtime.channels");
    }

    @Test
    void theListNamesEveryPage() {
        JsonNode list = page("/api/docs");

        assertThat(list).extracting(entry -> entry.get("endpoint").asText()).contains("/api/docs/instructions",
                "/api/docs/payments", "/api/docs/db/typescript", "/api/docs/payments/rest-api");
        assertThat(list).hasSize(DOC_TYPES.size() + FEATURES.size() * LANGUAGES.size());
        for (JsonNode entry : list) {
            assertThat(server.get(entry.get("endpoint").asText()).send().status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/docs/nope", "/api/docs/db-sdk-typescript", "/api/docs/db/python", "/api/docs/graphql/typescript",
            "/api/docs/INSTRUCTIONS"})
    void anythingElseIsDocsNotFound(String path) {
        assertError(server.get(path).send(), 404, "DOCS_NOT_FOUND", "Documentation not found");
    }

    @Test
    void docsNeedNoCredentialAndIgnoreOne() {
        assertThat(server.get("/api/docs/instructions").bearer(server.anonKey()).send().status()).isEqualTo(200);
        assertThat(server.get("/api/docs/instructions").header("x-api-key", server.apiKey()).send().status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST /api/ai/chat/completion", "POST /api/ai/embeddings", "GET /api/ai/models",
            "POST /api/payments/stripe/test/checkout-sessions", "GET /api/payments", "POST /api/deployments",
            "PUT /api/deployments/d1/files/f1/content"})
    void missingFeaturesSayNotImplementedAndWhereToRead(String route) {
        String[] parts = route.split(" ");
        HttpCall.Reply reply = server.call(parts[0], parts[1]).bearer(server.anonKey()).json("{}").send();

        assertError(reply, 501, "NOT_IMPLEMENTED", "is not available on Anvil");
        assertThat(reply.json().get("nextActions").asText()).startsWith("GET /api/docs/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /api/database/backups|pg_dump", "POST /api/database/backups/b1/restore|pg_dump",
            "PATCH /api/database/config|pg_dump", "GET /api/storage/s3/config|/api/storage/buckets",
            "POST /api/storage/s3/access-keys|/api/storage/buckets"})
    void selfHostedExtrasSayNotImplementedAndWhatToDoInstead(String routeAndAdvice) {
        String[] parts = routeAndAdvice.split("[ |]");
        HttpCall.Reply reply = server.call(parts[0], parts[1]).header("x-api-key", server.apiKey()).json("{}").send();

        assertError(reply, 501, "NOT_IMPLEMENTED", "is not available on Anvil");
        assertThat(reply.json().get("nextActions").asText()).contains(parts[2]);
    }
}
