package dev.anvil.server.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Contract §5.1: /api/functions — slug rules, draft and active, deploys that fail, with a real runtime. */
class FunctionsApiTest {

    static final String HELLO = "module.exports = async (req) => new Response('hello from ' + new URL(req.url).pathname)";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("functions_api");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpCall admin(String method, String path) {
        return server.call(method, path).header("x-api-key", server.apiKey());
    }

    static HttpCall.Reply create(Object body) {
        return admin("POST", "/api/functions").json(body).send();
    }

    static HttpCall.Reply invoke(String slug) {
        return server.post("/functions/" + slug).json(Map.of()).send();
    }

    @Test
    void onlyAdminsManageFunctions() {
        assertThat(server.get("/api/functions").send().status()).isEqualTo(401);
        HttpCall.Reply anon = server.post("/api/functions").bearer(server.anonKey()).json(Map.of("name", "x", "code", HELLO)).send();
        assertThat(anon.status()).isEqualTo(403);
        assertThat(anon.json().path("message").asText()).isEqualTo("Admin access required");
        assertThat(server.get("/api/functions").bearer(server.adminToken()).send().status()).isEqualTo(200);
    }

    @Test
    void createDeploysAnActiveFunctionUnderASlugDerivedFromItsName() {
        HttpCall.Reply reply = create(Map.of("name", "Say  Hello", "code", HELLO, "description", "greets"));
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        JsonNode body = reply.json();
        assertThat(body.path("success").asBoolean()).isTrue();
        JsonNode function = body.path("function");
        assertThat(function.path("slug").asText()).isEqualTo("say-hello");
        assertThat(function.path("name").asText()).isEqualTo("Say  Hello");
        assertThat(function.path("description").asText()).isEqualTo("greets");
        assertThat(function.path("status").asText()).isEqualTo("active");
        assertThat(function.path("code").asText()).isEqualTo(HELLO);
        assertThat(function.path("deployedAt").isNull()).isFalse();
        assertThat(function.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "slug", "name", "description", "code",
                "status", "createdAt", "updatedAt", "deployedAt");
        JsonNode deployment = body.path("deployment");
        assertThat(deployment.path("status").asText()).isEqualTo("success");
        assertThat(deployment.path("url").asText()).isEqualTo(server.anvil().baseUrl() + "/functions/say-hello");
        assertThat(deployment.path("buildLogs").get(0).asText()).startsWith("Loaded say-hello");
        assertThat(server.anvil().database().client().execute()
                .get("SELECT status FROM functions.deployments WHERE id = ?", deployment.path("id").asText())
                .map(row -> row.column("status").get(String.class))).hasValue("success");

        HttpCall.Reply invoked = invoke("say-hello");
        assertThat(invoked.status()).isEqualTo(200);
        assertThat(invoked.text()).isEqualTo("hello from /functions/say-hello");

        assertThat(admin("GET", "/api/functions/say-hello").send().json().path("code").asText()).isEqualTo(HELLO);
        JsonNode list = admin("GET", "/api/functions").send().json();
        assertThat(list.path("runtime").path("status").asText()).isEqualTo("running");
        assertThat(list.path("deploymentUrl").isNull()).isTrue();
        JsonNode listed = find(list.path("functions"), "say-hello");
        assertThat(listed.has("code")).as("listings leave the code out").isFalse();
        assertThat(listed.path("status").asText()).isEqualTo("active");
    }

    @Test
    void aDraftIsStoredButNotInvocableUntilActivated() {
        JsonNode body = create(Map.of("name", "drafty", "code", HELLO, "status", "draft")).json();
        assertThat(body.path("function").path("status").asText()).isEqualTo("draft");
        assertThat(body.path("function").path("deployedAt").isNull()).isTrue();
        assertThat(body.path("deployment").isNull()).isTrue();
        HttpCall.Reply notActive = invoke("drafty");
        assertThat(notActive.status()).isEqualTo(404);
        assertThat(notActive.json()).isEqualTo(Json.mapper().valueToTree(Map.of("error", "Function not found or not active")));

        JsonNode activated = admin("PUT", "/api/functions/drafty").json(Map.of("status", "active")).send().json();
        assertThat(activated.path("function").path("status").asText()).isEqualTo("active");
        assertThat(activated.path("deployment").path("status").asText()).isEqualTo("success");
        assertThat(invoke("drafty").status()).isEqualTo(200);

        admin("PUT", "/api/functions/drafty").json(Map.of("status", "draft")).send();
        assertThat(invoke("drafty").status()).isEqualTo(404);
    }

    static Stream<Arguments> codeThatDoesNotLoad() {
        return Stream.of(
                Arguments.of("syntax", "module.exports = async (req) => { return new Response('x'", "SyntaxError"),
                Arguments.of("no-export", "const answer = 42;", "No function exported. Expected: module.exports = async function(req) { ... }"),
                Arguments.of("throws-at-load", "throw new Error('missing configuration');", "missing configuration"),
                Arguments.of("esm-broken-import", "import x from 'npm:no-such-package-anywhere';\nexport default async () => new Response(x);",
                        "no-such-package-anywhere"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codeThatDoesNotLoad")
    void codeThatDoesNotLoadIsStoredWithStatusErrorAndTheMessage(String slug, String code, String expected) {
        HttpCall.Reply reply = create(Map.of("name", slug, "slug", slug, "code", code));
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        JsonNode body = reply.json();
        assertThat(body.path("success").asBoolean()).isFalse();
        assertThat(body.path("function").path("status").asText()).isEqualTo("error");
        assertThat(body.path("function").path("deployedAt").isNull()).isTrue();
        assertThat(body.path("deployment").path("status").asText()).isEqualTo("failed");
        assertThat(body.path("deployment").path("url").isNull()).isTrue();
        assertThat(body.path("deployment").path("buildLogs").get(0).asText()).contains(expected);
        assertThat(invoke(slug).status()).as("a function in error is not invoked").isEqualTo(404);

        // Fixed code is deployed again and the function becomes active.
        JsonNode fixed = admin("PUT", "/api/functions/" + slug).json(Map.of("code", HELLO)).send().json();
        assertThat(fixed.path("success").asBoolean()).isTrue();
        assertThat(fixed.path("function").path("status").asText()).isEqualTo("active");
        assertThat(invoke(slug).text()).isEqualTo("hello from /functions/" + slug);
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                Arguments.of(Map.of("slug", "no-name", "code", HELLO), 400, "INVALID_INPUT",
                        "[{\"code\":\"invalid_type\",\"expected\":\"string\",\"received\":\"undefined\",\"path\":[\"name\"],\"message\":\"Required\"}]"),
                Arguments.of(Map.of("name", "", "code", HELLO), 400, "INVALID_INPUT",
                        "[{\"code\":\"too_small\",\"minimum\":1,\"type\":\"string\",\"inclusive\":true,\"exact\":false,\"message\":\"Name is required\",\"path\":[\"name\"]}]"),
                Arguments.of(Map.of("name", "x", "slug", "has space", "code", HELLO), 400, "INVALID_INPUT",
                        "[{\"validation\":\"regex\",\"code\":\"invalid_string\",\"message\":\"Invalid slug format - must be alphanumeric with hyphens or underscores only\",\"path\":[\"slug\"]}]"),
                Arguments.of(Map.of("name", "x", "slug", "s".repeat(256), "code", HELLO), 400, "INVALID_INPUT",
                        "[{\"code\":\"too_big\",\"maximum\":255,\"type\":\"string\",\"inclusive\":true,\"exact\":false,\"message\":\"String must contain at most 255 character(s)\",\"path\":[\"slug\"]}]"),
                Arguments.of(Map.of("name", "x", "slug", "x", "code", 5), 400, "INVALID_INPUT",
                        "[{\"code\":\"invalid_type\",\"expected\":\"string\",\"received\":\"number\",\"path\":[\"code\"],\"message\":\"Expected string, received number\"}]"),
                Arguments.of(Map.of("name", "x", "slug", "x", "code", HELLO, "status", "paused"), 400, "INVALID_INPUT",
                        "[{\"received\":\"paused\",\"code\":\"invalid_enum_value\",\"options\":[\"draft\",\"active\"],\"path\":[\"status\"],\"message\":\"Invalid enum value. Expected 'draft' | 'active', received 'paused'\"}]"),
                Arguments.of(Map.of("name", "Hello World!", "code", HELLO), 400, "INVALID_INPUT", null),
                Arguments.of(List.of(1), 400, "INVALID_INPUT",
                        "[{\"code\":\"invalid_type\",\"expected\":\"object\",\"received\":\"array\",\"path\":[],\"message\":\"Expected object, received array\"}]"),
                Arguments.of(Map.of("name", "x", "slug", "health", "code", HELLO), 400, "FUNCTION_SLUG_RESERVED",
                        "Function slug \"health\" is reserved"),
                Arguments.of(Map.of("name", "x", "slug", "Health", "code", HELLO), 400, "FUNCTION_SLUG_RESERVED",
                        "Function slug \"Health\" is reserved"),
                Arguments.of(Map.of("name", "Health", "code", HELLO), 400, "FUNCTION_SLUG_RESERVED",
                        "Function slug \"health\" is reserved"),
                Arguments.of(Map.of("name", "serve", "code", "Deno.serve((req) => new Response('x'))"), 400, "INVALID_INPUT",
                        "Function source cannot contain Deno.serve(). Use \"export default async function(req: Request)\" "
                                + "instead; the router handles serving automatically."),
                Arguments.of(Map.of("name", "taken", "code", HELLO), 409, "FUNCTION_ALREADY_EXISTS",
                        "Function with this slug already exists"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @MethodSource("badCreates")
    void badCreatesAreRefusedAndCreateNothing(Object body, int status, String error, String message) {
        create(Map.of("name", "taken", "code", HELLO));
        int before = admin("GET", "/api/functions").send().json().path("functions").size();
        HttpCall.Reply reply = create(body);
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.json().path("error").asText()).isEqualTo(error);
        if (message != null) {
            assertThat(reply.json().path("message").asText()).isEqualTo(message);
        } else {
            assertThat(reply.json().path("message").asText()).contains("derived from the name");
        }
        assertThat(admin("GET", "/api/functions").send().json().path("functions").size()).isEqualTo(before);
    }

    @Test
    void updatesChangeOnlyWhatIsSentAndRedeployOnlyForCodeOrStatus() {
        create(Map.of("name", "editable", "code", HELLO));
        JsonNode renamed = admin("PUT", "/api/functions/editable").json(Map.of("name", "Editable!", "description", "d")).send().json();
        assertThat(renamed.path("success").asBoolean()).isTrue();
        assertThat(renamed.path("deployment").isNull()).as("no code or status: nothing to deploy").isTrue();
        assertThat(renamed.path("function").path("name").asText()).isEqualTo("Editable!");
        assertThat(renamed.path("function").path("slug").asText()).isEqualTo("editable");
        assertThat(renamed.path("function").path("code").asText()).isEqualTo(HELLO);

        JsonNode recoded = admin("PUT", "/api/functions/editable")
                .json(Map.of("code", "module.exports = async () => new Response('v2')")).send().json();
        assertThat(recoded.path("deployment").path("status").asText()).isEqualTo("success");
        assertThat(invoke("editable").text()).isEqualTo("v2");

        HttpCall.Reply missing = admin("PUT", "/api/functions/nope").json(Map.of("name", "x")).send();
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").asText()).isEqualTo("FUNCTION_NOT_FOUND");
        assertThat(missing.json().path("message").asText()).isEqualTo("Function not found");
        assertThat(admin("PUT", "/api/functions/editable").json(Map.of("status", "error")).send().status()).isEqualTo(400);
        assertThat(admin("PUT", "/api/functions/editable").json(Map.of("code", "Deno.serve(() => {})")).send().status()).isEqualTo(400);
        assertThat(invoke("editable").text()).as("refused updates change nothing").isEqualTo("v2");
    }

    @Test
    void deleteRemovesTheFunctionAndItsDeploymentHistory() {
        String deploymentId = create(Map.of("name", "doomed", "code", HELLO)).json().path("deployment").path("id").asText();
        assertThat(invoke("doomed").status()).isEqualTo(200);
        HttpCall.Reply deleted = admin("DELETE", "/api/functions/doomed").send();
        assertThat(deleted.json()).isEqualTo(Json.mapper().valueToTree(Map.of("success", true,
                "message", "Function doomed deleted successfully")));
        assertThat(admin("GET", "/api/functions/doomed").send().status()).isEqualTo(404);
        assertThat(invoke("doomed").status()).isEqualTo(404);
        assertThat(admin("DELETE", "/api/functions/doomed").send().json().path("error").asText()).isEqualTo("FUNCTION_NOT_FOUND");
        assertThat(server.anvil().database().client().execute()
                .get("SELECT count(*) AS n FROM functions.deployments WHERE id = ?", deploymentId)
                .map(row -> row.column("n").get(Long.class))).hasValue(0L);
    }

    @Test
    void anEsModuleWithExportDefaultWorksToo() {
        JsonNode body = create(Map.of("name", "esm", "code",
                "import { createClient } from 'npm:@insforge/sdk';\n"
                        + "export default async function (req) {\n"
                        + "  return Response.json({ sdk: typeof createClient, secret: Deno.env.get('ANON_KEY')?.slice(0, 5) });\n"
                        + "}")).json();
        assertThat(body.path("deployment").path("status").asText()).as(body.toString()).isEqualTo("success");
        assertThat(invoke("esm").json()).isEqualTo(Json.mapper().valueToTree(Map.of("sdk", "function", "secret", "anon_")));
    }

    private static JsonNode find(JsonNode functions, String slug) {
        for (JsonNode function : functions) {
            if (function.path("slug").asText().equals(slug)) {
                return function;
            }
        }
        throw new AssertionError(slug + " not in " + functions);
    }
}
