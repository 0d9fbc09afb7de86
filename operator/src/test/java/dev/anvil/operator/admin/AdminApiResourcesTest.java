package dev.anvil.operator.admin;

import static dev.anvil.operator.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.anvil.operator.AnvilOperator;
import dev.anvil.operator.api.AnvilFunction;
import dev.anvil.operator.api.Bucket;
import dev.anvil.operator.api.BucketSpec;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.FunctionSpec;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.api.SecretKeyRef;
import dev.anvil.operator.kube.Conditions;
import dev.anvil.operator.testing.AdminApiDouble;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Buckets, Functions and a Project's auth settings are applied through the project's admin API —
 * here a test double of that external API speaking the contract's routes. (The same flows
 * against a started Anvil server: {@code AdminApiOnAnvilServerTest}.)
 */
class AdminApiResourcesTest {

    private static TestCluster cluster;
    private static KubernetesClient client;
    private static AdminApiDouble api;
    private static AnvilOperator operator;

    @BeforeAll
    static void start() {
        TestPostgres.server();
        cluster = new TestCluster();
        client = cluster.client();
        api = new AdminApiDouble();
        operator = cluster.startOperator((namespace, project) -> api.url());
        readyProject("store", "shop", null);
    }

    @AfterAll
    static void stop() {
        operator.close();
        api.close();
        cluster.close();
    }

    @Test
    void bucketIsCreatedThenItsVisibilityFollowsTheSpecAndDeleteRemovesIt() {
        Bucket bucket = client.resource(bucket("store", "images", "shop", false, DeletionPolicy.Delete)).create();
        await("bucket created private", () -> Boolean.FALSE.equals(api.buckets.get("images")));
        await("Bucket Ready", () -> ready(client.resources(Bucket.class).inNamespace("store").withName("images").get()));

        client.resources(Bucket.class).inNamespace("store").withName("images").edit(b -> {
            b.getSpec().isPublic = true;
            return b;
        });
        await("bucket made public", () -> Boolean.TRUE.equals(api.buckets.get("images")));

        client.resource(bucket).delete();
        await("bucket deleted in the project", () -> !api.buckets.containsKey("images"));
        await("Bucket gone", () -> client.resources(Bucket.class).inNamespace("store").withName("images").get() == null);
    }

    @Test
    void aRetainedBucketOutlivesItsResource() {
        Bucket bucket = client.resource(bucket("store", "archive", "shop", true, DeletionPolicy.Retain)).create();
        await("bucket created", () -> api.buckets.containsKey("archive"));
        client.resource(bucket).delete();
        await("Bucket gone", () -> client.resources(Bucket.class).inNamespace("store").withName("archive").get() == null);
        assertThat(api.buckets).containsKey("archive");
    }

    @Test
    void aBucketWaitsForItsProjectAndProceedsWhenItIsReady() {
        client.resource(bucket("later", "uploads", "late", false, DeletionPolicy.Retain)).create();
        await("Bucket waiting", () -> hasCondition(client.resources(Bucket.class).inNamespace("later").withName("uploads").get(),
                ResourceStatus.PROGRESSING, "True", "ProjectNotFound"));
        assertThat(api.buckets).doesNotContainKey("uploads");

        readyProject("later", "late", null);
        await("bucket created once the project is Ready", () -> api.buckets.containsKey("uploads"));
        await("Bucket Ready", () -> ready(client.resources(Bucket.class).inNamespace("later").withName("uploads").get()));
    }

    @Test
    void functionIsDeployedUpdatedAndDeleted() {
        AnvilFunction function = client.resource(function("store", "hello", "shop", "module.exports = async () => new Response('hi')")).create();
        await("function deployed", () -> api.functions.containsKey("hello"));
        await("Function Ready", () -> ready(client.resources(AnvilFunction.class).inNamespace("store").withName("hello").get()));
        assertThat(api.functions.get("hello").path("status").asText()).isEqualTo("active");
        assertThat(client.resources(AnvilFunction.class).inNamespace("store").withName("hello").get().getStatus().functionStatus).isEqualTo("active");

        client.resources(AnvilFunction.class).inNamespace("store").withName("hello").edit(f -> {
            f.getSpec().code = "module.exports = async () => new Response('hello')";
            return f;
        });
        await("code updated", () -> api.functions.get("hello").path("code").asText().contains("'hello'"));
        assertThat(api.callsMatching("PUT /api/functions/hello")).hasSize(1);

        client.resource(function).delete();
        await("function deleted", () -> !api.functions.containsKey("hello"));
    }

    @Test
    void aCompileErrorIsReportedInTheStatus() {
        client.resource(function("store", "broken", "shop", "module.exports = SYNTAX ERROR")).create();
        await("Function Degraded", () -> hasCondition(client.resources(AnvilFunction.class).inNamespace("store").withName("broken").get(),
                ResourceStatus.DEGRADED, "True", "DeployFailed"));
        AnvilFunction broken = client.resources(AnvilFunction.class).inNamespace("store").withName("broken").get();
        assertThat(condition(broken, ResourceStatus.DEGRADED).getMessage()).contains("SyntaxError");
        assertThat(condition(broken, ResourceStatus.READY).getStatus()).isEqualTo("False");
        assertThat(broken.getStatus().functionStatus).isEqualTo("error");
    }

    @Test
    void functionCodeCanComeFromAConfigMap() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("fn-code").withNamespace("store").endMetadata()
                .addToData("index.js", "module.exports = async () => new Response('from a config map')").build()).create();
        AnvilFunction function = function("store", "cm", "shop", null);
        function.getSpec().codeFrom = new FunctionSpec.ConfigMapKeyRef("fn-code", "index.js");
        client.resource(function).create();
        await("function deployed from the ConfigMap", () -> api.functions.containsKey("cm")
                && api.functions.get("cm").path("code").asText().contains("from a config map"));
    }

    @Test
    void authSettingsAreAppliedOnceThroughTheAdminApi() {
        client.resource(new SecretBuilder().withNewMetadata().withName("mail").withNamespace("members").endMetadata()
                .addToData("password", b64("smtp-pw")).addToData("github", b64("gh-secret")).build()).create();
        ProjectSpec.Auth auth = new ProjectSpec.Auth();
        auth.signup = false;
        auth.allowedRedirectUrls = List.of("https://app.example.com/*");
        auth.smtp = new ProjectSpec.Smtp();
        auth.smtp.host = "smtp.example.com";
        auth.smtp.senderEmail = "noreply@example.com";
        auth.smtp.passwordSecretRef = new SecretKeyRef("mail", "password");
        ProjectSpec.OAuthProvider github = new ProjectSpec.OAuthProvider();
        github.provider = ProjectSpec.OAuthProviderName.github;
        github.clientId = "gh-client";
        github.clientSecretRef = new SecretKeyRef("mail", "github");
        auth.oauth = List.of(github);
        readyProject("members", "club", auth);

        assertThat(api.authSettings.get("/api/auth/config").path("disableSignup").asBoolean()).isTrue();
        assertThat(api.authSettings.get("/api/auth/config").path("allowedRedirectUrls").get(0).asText()).isEqualTo("https://app.example.com/*");
        assertThat(api.authSettings.get("/api/auth/smtp-config").path("password").asText()).isEqualTo("smtp-pw");
        assertThat(api.authSettings.get("/api/auth/smtp-config").path("port").asInt()).isEqualTo(587);
        assertThat(api.authSettings.get("/api/auth/oauth/github/config").path("clientSecret").asText()).isEqualTo("gh-secret");
        int calls = api.callsMatching("PUT /api/auth/config").size();

        cluster.markDeploymentsAvailable("members"); // another round of events: nothing is re-applied
        client.resources(Project.class).inNamespace("members").withName("club").edit(p -> {
            p.getSpec().replicas = 1;
            return p;
        });
        await("observed", () -> client.resources(Project.class).inNamespace("members").withName("club").get().getStatus().appliedAuthSettings != null);
        assertThat(api.callsMatching("PUT /api/auth/config")).hasSize(calls);
    }

    @Test
    void authSettingsThatCannotBeAppliedLeaveTheProjectDegraded() {
        ProjectSpec.Auth auth = new ProjectSpec.Auth();
        auth.smtp = new ProjectSpec.Smtp();
        auth.smtp.host = "smtp.example.com";
        auth.smtp.senderEmail = "noreply@example.com";
        auth.smtp.passwordSecretRef = new SecretKeyRef("no-such-secret", "password");
        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace("broken").withName("mailer").build());
        project.setSpec(new ProjectSpec());
        project.getSpec().auth = auth;
        client.resource(project).create();
        await("mailer Deployments", () -> client.apps().deployments().inNamespace("broken").list().getItems().size() == 3);
        cluster.markDeploymentsAvailable("broken");

        await("mailer Degraded", () -> hasCondition(client.resources(Project.class).inNamespace("broken").withName("mailer").get(),
                ResourceStatus.DEGRADED, "True", "AuthSettingsFailed"));
        Project degraded = client.resources(Project.class).inNamespace("broken").withName("mailer").get();
        assertThat(condition(degraded, ResourceStatus.READY).getStatus()).isEqualTo("False");
        assertThat(condition(degraded, ResourceStatus.DEGRADED).getMessage()).contains("no-such-secret");
    }

    private static void readyProject(String namespace, String name, ProjectSpec.Auth auth) {
        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        project.setSpec(new ProjectSpec());
        project.getSpec().auth = auth;
        project.getSpec().deletionPolicy = DeletionPolicy.Delete;
        client.resource(project).create();
        await(name + " keys", () -> client.secrets().inNamespace(namespace).withName(name + "-keys").get() != null);
        api.acceptApiKey(new String(java.util.Base64.getDecoder().decode(
                client.secrets().inNamespace(namespace).withName(name + "-keys").get().getData().get("ACCESS_API_KEY"))));
        await(name + " Deployments", () -> client.apps().deployments().inNamespace(namespace).list().getItems().size() == 3);
        cluster.markDeploymentsAvailable(namespace);
        await(name + " Ready", () -> ready(client.resources(Project.class).inNamespace(namespace).withName(name).get()));
    }

    private static Bucket bucket(String namespace, String name, String project, boolean isPublic, DeletionPolicy policy) {
        Bucket bucket = new Bucket();
        bucket.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        bucket.setSpec(new BucketSpec());
        bucket.getSpec().project = project;
        bucket.getSpec().isPublic = isPublic;
        bucket.getSpec().deletionPolicy = policy;
        return bucket;
    }

    private static AnvilFunction function(String namespace, String slug, String project, String code) {
        AnvilFunction function = new AnvilFunction();
        function.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(slug).build());
        function.setSpec(new FunctionSpec());
        function.getSpec().project = project;
        function.getSpec().slug = slug;
        function.getSpec().code = code;
        return function;
    }

    private static boolean ready(CustomResource<?, ? extends ResourceStatus> resource) {
        return resource != null && resource.getStatus() != null && Conditions.isTrue(resource.getStatus().conditions, ResourceStatus.READY);
    }

    private static boolean hasCondition(CustomResource<?, ? extends ResourceStatus> resource, String type, String status, String reason) {
        return resource != null && resource.getStatus() != null && resource.getStatus().conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus()) && reason.equals(c.getReason()));
    }

    private static Condition condition(CustomResource<?, ? extends ResourceStatus> resource, String type) {
        return resource.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    private static String b64(String value) {
        return java.util.Base64.getEncoder().encodeToString(value.getBytes());
    }
}
