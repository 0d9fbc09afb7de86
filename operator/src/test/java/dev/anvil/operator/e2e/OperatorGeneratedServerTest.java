package dev.anvil.operator.e2e;

import static dev.anvil.operator.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.operator.AnvilOperator;
import dev.anvil.operator.api.AnvilFunction;
import dev.anvil.operator.api.Bucket;
import dev.anvil.operator.api.BucketSpec;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.FunctionSpec;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.kube.Conditions;
import dev.anvil.operator.testing.AnvilServerProcess;
import dev.anvil.operator.testing.PodEnvironment;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end: the real {@code anvil-server.jar} started with exactly the environment the
 * operator generated for a Project's server Deployment (Secret values resolved as the kubelet
 * would), on the database and role the operator created. Only what is pod-local is replaced:
 * the port (a free one, as a child process cannot report port 0), the listen address
 * (loopback) and the data/storage directories (a temp dir instead of the volume).
 */
class OperatorGeneratedServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestCluster cluster;
    private static KubernetesClient client;
    private static AnvilOperator operator;
    private static AnvilServerProcess server;
    private static Map<String, String> generated;

    @BeforeAll
    static void start() throws Exception {
        AnvilServerProcess.jar();
        TestPostgres.server();
        cluster = new TestCluster();
        client = cluster.client();
        int port = AnvilServerProcess.freePort();
        URI url = URI.create("http://127.0.0.1:" + port);
        operator = cluster.startOperator((namespace, project) -> url);

        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace("e2e").withName("app").build());
        project.setSpec(new ProjectSpec());
        project.getSpec().deletionPolicy = DeletionPolicy.Delete;
        client.resource(project).create();
        await("server Deployment", () -> client.apps().deployments().inNamespace("e2e").withName("app-server").get() != null);

        generated = PodEnvironment.of(client, "e2e", "app-server");
        Path data = Files.createTempDirectory("anvil-e2e");
        Map<String, String> env = new HashMap<>(generated);
        env.put("PORT", Integer.toString(port));
        env.put("ANVIL_HOST", "127.0.0.1");
        env.put("ANVIL_DATA_DIR", data.toString());
        env.put("STORAGE_DIR", data.resolve("storage").toString());
        server = AnvilServerProcess.start(env, port);

        cluster.markDeploymentsAvailable("e2e");
        await("app Ready", () -> Conditions.isTrue(client.resources(Project.class).inNamespace("e2e").withName("app").get()
                .getStatus().conditions, ResourceStatus.READY));
    }

    /** Waits for Ready; on timeout the failure shows the resource's conditions (the project API's answer). */
    private static void awaitReady(Supplier<? extends CustomResource<?, ? extends ResourceStatus>> resource) {
        try {
            await("Ready", () -> {
                var live = resource.get();
                return live.getStatus() != null && Conditions.isTrue(live.getStatus().conditions, ResourceStatus.READY);
            });
        } catch (AssertionError e) {
            var live = resource.get();
            throw new AssertionError(live.getKind() + " " + live.getMetadata().getName() + " not Ready: "
                    + (live.getStatus() == null ? "no status" : live.getStatus().conditions), e);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theServerRunsOnTheTenantDatabaseWithTheGeneratedKeys() {
        assertThat(generated).containsKeys("POSTGRES_HOST", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "JWT_SECRET",
                "ENCRYPTION_KEY", "ACCESS_API_KEY", "ACCESS_ANON_KEY", "ROOT_ADMIN_USERNAME", "ROOT_ADMIN_PASSWORD",
                "API_BASE_URL", "DENO_RUNTIME_URL", "POSTGREST_BASE_URL");
        assertThat(server.call("GET", "/api/usage/mcp", generated.get("ACCESS_API_KEY"), null).statusCode()).isEqualTo(200);
        assertThat(server.call("GET", "/api/usage/mcp", "ik_" + "0".repeat(64), null).statusCode()).isEqualTo(401);

        String db = generated.get("POSTGRES_DB");
        assertThat(TestPostgres.query(db, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'auth'"))
                .as("the server migrated its database as the project's login role").isEqualTo(db);
    }

    @Test
    void aUserSignsUpWithTheAnonKey() throws Exception {
        HttpResponse<String> reply = server.call("POST", "/api/auth/users?client_type=mobile", generated.get("ACCESS_ANON_KEY"),
                "{\"email\":\"first@example.com\",\"password\":\"correct-horse-9\"}");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.path("accessToken").asText()).isNotBlank();
        assertThat(body.path("user").path("email").asText()).isEqualTo("first@example.com");
    }

    @Test
    void aBucketIsAppliedThroughTheServersAdminApi() throws Exception {
        Bucket bucket = new Bucket();
        bucket.setMetadata(new ObjectMetaBuilder().withNamespace("e2e").withName("avatars").build());
        bucket.setSpec(new BucketSpec());
        bucket.getSpec().project = "app";
        bucket.getSpec().isPublic = true;
        client.resource(bucket).create();
        awaitReady(client.resources(Bucket.class).inNamespace("e2e").withName("avatars")::get);
        JsonNode buckets = JSON.readTree(server.call("GET", "/api/storage/buckets", generated.get("ACCESS_API_KEY"), null).body());
        assertThat(buckets.findValuesAsText("name")).contains("avatars");
    }

    @Test
    void aFunctionIsAppliedThroughTheServersAdminApi() throws Exception {
        AnvilFunction function = new AnvilFunction();
        function.setMetadata(new ObjectMetaBuilder().withNamespace("e2e").withName("greet").build());
        function.setSpec(new FunctionSpec());
        function.getSpec().project = "app";
        function.getSpec().slug = "greet";
        function.getSpec().code = "module.exports = async function (request) { return new Response('hi') }";
        client.resource(function).create();
        awaitReady(client.resources(AnvilFunction.class).inNamespace("e2e").withName("greet")::get);
        HttpResponse<String> fn = server.call("GET", "/api/functions/greet", generated.get("ACCESS_API_KEY"), null);
        assertThat(fn.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(fn.body()).path("status").asText()).isEqualTo("active");
    }
}
