package dev.anvil.operator.e2e;

import static dev.anvil.operator.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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
import dev.anvil.operator.testing.DenoRuntimeProcess;
import dev.anvil.operator.testing.PodEnvironment;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end: the real {@code anvil-server.jar} started with exactly the environment the
 * operator generated for a Project's server Deployment (Secret values resolved as the kubelet
 * would), on the database and role the operator created, and the real runtime host started with
 * exactly the command, arguments and environment generated for its Deno Deployment. Only what is
 * pod-local is replaced: ports (free ones, as a child process cannot report port 0), listen
 * addresses (loopback), the data/storage directories (a temp dir instead of the volume), the
 * runtime image's paths (the build's {@code server/target/deno}), and the in-cluster Service URLs,
 * which resolve to those loopback ports as cluster DNS would resolve them to the pods.
 */
class OperatorGeneratedServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestCluster cluster;
    private static KubernetesClient client;
    private static AnvilOperator operator;
    private static AnvilServerProcess server;
    private static DenoRuntimeProcess runtime;
    private static Map<String, String> generated;
    private static Map<String, String> generatedForRuntime;

    @BeforeAll
    static void start() throws Exception {
        AnvilServerProcess.jar();
        DenoRuntimeProcess.runtimeDirectory();
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
        await("server and Deno Deployments", () -> client.apps().deployments().inNamespace("e2e").withName("app-server").get() != null
                && client.apps().deployments().inNamespace("e2e").withName("app-deno").get() != null);

        generatedForRuntime = PodEnvironment.of(client, "e2e", "app-deno");
        Container denoContainer = client.apps().deployments().inNamespace("e2e").withName("app-deno").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        runtime = DenoRuntimeProcess.start(denoContainer, generatedForRuntime, AnvilServerProcess.freePort());

        generated = PodEnvironment.of(client, "e2e", "app-server");
        Map<String, String> services = Map.of(
                "http://app-server.e2e.svc:7130", url.toString(),
                "http://app-deno.e2e.svc:7133", runtime.url().toString());
        Path data = Files.createTempDirectory("anvil-e2e");
        Map<String, String> env = new HashMap<>();
        generated.forEach((name, value) -> env.put(name, services.getOrDefault(value, value)));
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
        if (runtime != null) {
            runtime.close();
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
                "API_BASE_URL", "DENO_RUNTIME_URL", "ANVIL_DENO_RUNTIME_TOKEN", "ANVIL_INTERNAL_URL", "POSTGREST_BASE_URL");
        assertThat(generated.get("DENO_RUNTIME_URL")).isEqualTo("http://app-deno.e2e.svc:7133");
        assertThat(generated.get("ANVIL_INTERNAL_URL")).isEqualTo("http://app-server.e2e.svc:7130");
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
    void theRuntimePodGetsOnlyTheServersTokenAndRefusesCallsWithoutIt() throws Exception {
        assertThat(generatedForRuntime).as("no database, no keys: the server pushes what functions need")
                .containsOnlyKeys("ANVIL_RUNTIME_TOKEN");
        assertThat(generatedForRuntime.get("ANVIL_RUNTIME_TOKEN")).matches("[0-9a-f]{64}")
                .isEqualTo(generated.get("ANVIL_DENO_RUNTIME_TOKEN"));
        // HTTP/1.1, as the servers speak it (Deno.serve refuses the JDK client's h2c upgrade offer).
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(runtime.url().resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"status\":\"ok\"");
            HttpResponse<String> control = http.send(HttpRequest.newBuilder(runtime.url().resolve("/_anvil/secrets"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"version\":\"x\",\"values\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(control.statusCode()).as("the host read its token: " + runtime.output()).isEqualTo(401);
        }
    }

    @Test
    void theGeneratedProbesAnswerOnTheRealProcesses() throws Exception {
        Map<String, URI> pods = Map.of("app-server", server.url(), "app-deno", runtime.url());
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (Map.Entry<String, URI> pod : pods.entrySet()) {
                Container container = client.apps().deployments().inNamespace("e2e").withName(pod.getKey()).get()
                        .getSpec().getTemplate().getSpec().getContainers().get(0);
                for (Probe probe : List.of(container.getReadinessProbe(), container.getLivenessProbe())) {
                    String path = probe.getHttpGet().getPath();
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(pod.getValue().resolve(path)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    // the kubelet counts 200-399 as success
                    assertThat(answer.statusCode()).as(pod.getKey() + " " + path + ": " + answer.body()).isBetween(200, 399);
                }
            }
        }
    }

    @Test
    void aFunctionIsAppliedThroughTheServersAdminApi() throws Exception {
        AnvilFunction function = new AnvilFunction();
        function.setMetadata(new ObjectMetaBuilder().withNamespace("e2e").withName("greet").build());
        function.setSpec(new FunctionSpec());
        function.getSpec().project = "app";
        function.getSpec().slug = "greet";
        // It calls the server back at INSFORGE_INTERNAL_URL, which comes from ANVIL_INTERNAL_URL.
        function.getSpec().code = """
                module.exports = async function (request) {
                  const health = await fetch(Deno.env.get('INSFORGE_INTERNAL_URL') + '/api/health');
                  const name = new URL(request.url).searchParams.get('name');
                  return Response.json({ greeting: 'hi ' + name, server: health.status });
                }""";
        client.resource(function).create();
        awaitReady(client.resources(AnvilFunction.class).inNamespace("e2e").withName("greet")::get);
        HttpResponse<String> fn = server.call("GET", "/api/functions/greet", generated.get("ACCESS_API_KEY"), null);
        assertThat(fn.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(fn.body()).path("status").asText()).isEqualTo("active");

        HttpResponse<String> invoked = server.call("GET", "/functions/greet?name=kubernetes", null, null);
        assertThat(invoked.statusCode()).as(invoked.body() + "\nruntime:\n" + runtime.output()).isEqualTo(200);
        JsonNode answer = JSON.readTree(invoked.body());
        assertThat(answer.path("greeting").asText()).isEqualTo("hi kubernetes");
        assertThat(answer.path("server").asInt()).as("the function reached the server at its internal URL").isEqualTo(200);
    }
}
