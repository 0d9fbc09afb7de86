package dev.anvil.operator.project;

import static dev.anvil.operator.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.stream.Collectors;

import dev.anvil.operator.AnvilOperator;
import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Project against the mock API server and a real Postgres: what gets created, what its status
 * says, what a spec change touches (and what it must not), that reconciling again writes
 * nothing, and what deletion keeps or drops.
 */
class ProjectLifecycleTest {

    private static TestCluster cluster;
    private static AnvilOperator operator;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        TestPostgres.server();
        cluster = new TestCluster();
        client = cluster.client();
        operator = cluster.startOperator(ProjectEndpoints.inCluster());
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        cluster.close();
    }

    @Test
    void createsDatabaseRoleKeysDeploymentsAndServices() throws Exception {
        Project project = client.resource(project("team-a", "alpha", DeletionPolicy.Retain)).create();
        ProjectNames names = ProjectNames.of(project);
        String db = names.databaseIdentifier();

        await("Deployments of alpha", () -> deployments("team-a").size() == 3);
        assertThat(TestPostgres.query("postgres", "SELECT datname FROM pg_database WHERE datname = '" + db + "'")).isEqualTo(db);
        assertThat(TestPostgres.query("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" + db + "'")).isEqualTo(db);
        assertThat(TestPostgres.query("postgres", "SELECT string_agg(b.rolname, ',' ORDER BY b.rolname) FROM pg_auth_members m "
                + "JOIN pg_roles r ON r.oid = m.member JOIN pg_roles b ON b.oid = m.roleid WHERE r.rolname = '" + db + "'"))
                .isEqualTo("anon,authenticated,project_admin");
        assertThat(TestPostgres.query("postgres", "SELECT has_database_privilege('anon', '" + db + "', 'CONNECT')")).isEqualTo("f");
        assertThat(TestPostgres.query("postgres", "SELECT rolbypassrls FROM pg_roles WHERE rolname = 'project_admin'")).isEqualTo("t");

        Secret keys = client.secrets().inNamespace("team-a").withName("alpha-keys").get();
        assertThat(keys.getData()).containsKeys("JWT_SECRET", "ENCRYPTION_KEY", "ACCESS_API_KEY", "ACCESS_ANON_KEY",
                "ROOT_ADMIN_USERNAME", "ROOT_ADMIN_PASSWORD", "POSTGRES_PASSWORD", "ANVIL_DENO_RUNTIME_TOKEN");
        assertThat(KeysSecret.decoded(keys, "ANVIL_DENO_RUNTIME_TOKEN")).matches("[0-9a-f]{64}");
        assertThat(KeysSecret.decoded(keys, "ACCESS_API_KEY")).matches("ik_[0-9a-f]{64}");
        assertThat(KeysSecret.decoded(keys, "ACCESS_ANON_KEY")).matches("anon_[0-9a-f]{64}");

        List<HasMetadata> children = List.of(keys,
                client.apps().deployments().inNamespace("team-a").withName("alpha-server").get(),
                client.apps().deployments().inNamespace("team-a").withName("alpha-postgrest").get(),
                client.apps().deployments().inNamespace("team-a").withName("alpha-deno").get(),
                client.services().inNamespace("team-a").withName("alpha-server").get(),
                client.services().inNamespace("team-a").withName("alpha-postgrest").get(),
                client.services().inNamespace("team-a").withName("alpha-deno").get(),
                client.persistentVolumeClaims().inNamespace("team-a").withName("alpha-storage").get());
        for (HasMetadata child : children) {
            assertThat(child).as("child").isNotNull();
            assertThat(child.getMetadata().getOwnerReferences()).as(child.getKind() + " " + child.getMetadata().getName())
                    .singleElement().satisfies(owner -> {
                        assertThat(owner.getUid()).isEqualTo(project.getMetadata().getUid());
                        assertThat(owner.getKind()).isEqualTo("Project");
                        assertThat(owner.getController()).isTrue();
                    });
        }

        Map<String, EnvVar> server = env("team-a", "alpha-server");
        assertThat(server.get("POSTGRES_DB").getValue()).isEqualTo(db);
        assertThat(server.get("POSTGRES_USER").getValue()).isEqualTo(db);
        assertThat(server.get("POSTGRES_HOST").getValue()).isEqualTo("127.0.0.1");
        for (String key : List.of("POSTGRES_PASSWORD", "JWT_SECRET", "ENCRYPTION_KEY", "ACCESS_API_KEY", "ACCESS_ANON_KEY",
                "ROOT_ADMIN_USERNAME", "ROOT_ADMIN_PASSWORD", "ANVIL_DENO_RUNTIME_TOKEN")) {
            assertThat(server.get(key).getValueFrom().getSecretKeyRef().getName()).as(key).isEqualTo("alpha-keys");
        }
        assertThat(server.get("POSTGREST_BASE_URL").getValue()).isEqualTo("http://alpha-postgrest.team-a.svc:3000");
        assertThat(server.get("DENO_RUNTIME_URL").getValue()).isEqualTo("http://alpha-deno.team-a.svc:7133");
        assertThat(server.get("ANVIL_INTERNAL_URL").getValue()).isEqualTo("http://alpha-server.team-a.svc:7130");

        // The runtime gets its token and nothing else: the server pushes code and decrypted secrets to it.
        Map<String, EnvVar> deno = env("team-a", "alpha-deno");
        assertThat(deno).containsOnlyKeys("ANVIL_RUNTIME_TOKEN");
        assertThat(deno.get("ANVIL_RUNTIME_TOKEN").getValueFrom().getSecretKeyRef())
                .isEqualTo(server.get("ANVIL_DENO_RUNTIME_TOKEN").getValueFrom().getSecretKeyRef());
        var runtime = client.apps().deployments().inNamespace("team-a").withName("alpha-deno").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(runtime.getCommand()).startsWith("deno", "run").contains("--allow-env=ANVIL_RUNTIME_TOKEN")
                .endsWith("/opt/anvil/deno/host.ts");
        assertThat(runtime.getArgs()).contains("--port=7133", "--hostname=0.0.0.0", "--on-stuck=exit");
        assertThat(runtime.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(runtime.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
        // host.ts answers 503 while it drains (timeout + 5 s, then it exits): the kubelet must not kill it first.
        var liveness = runtime.getLivenessProbe();
        assertThat((liveness.getFailureThreshold() - 1) * liveness.getPeriodSeconds()).isGreaterThan(65);
        assertThat(server.get("STORAGE_DIR").getValue()).isEqualTo("/var/lib/anvil/storage");

        Map<String, EnvVar> postgrest = env("team-a", "alpha-postgrest");
        assertThat(postgrest.get("PGRST_DB_ANON_ROLE").getValue()).isEqualTo("anon");
        assertThat(postgrest.get("PGRST_JWT_ROLE_CLAIM_KEY").getValue()).isEqualTo(".role");
        assertThat(postgrest.get("PGRST_DB_CHANNEL").getValue()).isEqualTo("pgrst");
        assertThat(postgrest.get("PGRST_JWT_SECRET").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("JWT_SECRET");
        assertThat(postgrest.get("PGRST_DB_URI").getValue())
                .isEqualTo("postgres://" + db + ":$(PGRST_DB_PASSWORD)@127.0.0.1:" + TestPostgres.server().getPort() + "/" + db + "?sslmode=disable");

        await("alpha Progressing", () -> condition("team-a", "alpha", ResourceStatus.PROGRESSING, "True"));
        Project progressing = get("team-a", "alpha");
        assertThat(condition(progressing, ResourceStatus.READY).getStatus()).isEqualTo("False");
        assertThat(condition(progressing, ResourceStatus.READY).getMessage()).contains("alpha-server");

        cluster.markDeploymentsAvailable("team-a");
        await("alpha Ready", () -> condition("team-a", "alpha", ResourceStatus.READY, "True"));
        Project ready = get("team-a", "alpha");
        assertThat(ready.getStatus().observedGeneration).isEqualTo(ready.getMetadata().getGeneration());
        assertThat(ready.getStatus().conditions).extracting(Condition::getObservedGeneration)
                .containsOnly(ready.getMetadata().getGeneration());
        assertThat(condition(ready, ResourceStatus.DEGRADED).getStatus()).isEqualTo("False");
        assertThat(ready.getStatus().url).isEqualTo("http://alpha-server.team-a.svc:7130");
        assertThat(ready.getStatus().secretName).isEqualTo("alpha-keys");
    }

    @Test
    void specChangeUpdatesDeploymentsAndLeavesTheKeysAlone() {
        client.resource(project("team-b", "beta", DeletionPolicy.Retain)).create();
        await("beta Deployments", () -> deployments("team-b").size() == 3);
        cluster.markDeploymentsAvailable("team-b");
        await("beta Ready", () -> condition("team-b", "beta", ResourceStatus.READY, "True"));
        Secret keysBefore = client.secrets().inNamespace("team-b").withName("beta-keys").get();

        Project changed = client.resources(Project.class).inNamespace("team-b").withName("beta").edit(p -> {
            p.getSpec().images = new ProjectSpec.Images();
            p.getSpec().images.server = "anvil-server:v2";
            p.getSpec().records = ProjectSpec.RecordsEngine.embedded;
            return p;
        });
        await("server image updated", () -> "anvil-server:v2".equals(client.apps().deployments().inNamespace("team-b")
                .withName("beta-server").get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));
        await("PostgREST removed for the embedded engine", () -> client.apps().deployments().inNamespace("team-b").withName("beta-postgrest").get() == null
                && client.services().inNamespace("team-b").withName("beta-postgrest").get() == null);
        assertThat(env("team-b", "beta-server")).doesNotContainKey("POSTGREST_BASE_URL");

        cluster.markDeploymentsAvailable("team-b");
        await("beta Ready at the new generation", () -> {
            Project p = get("team-b", "beta");
            return condition("team-b", "beta", ResourceStatus.READY, "True")
                    && changed.getMetadata().getGeneration().equals(p.getStatus().observedGeneration);
        });
        Secret keysAfter = client.secrets().inNamespace("team-b").withName("beta-keys").get();
        assertThat(keysAfter.getMetadata().getResourceVersion()).isEqualTo(keysBefore.getMetadata().getResourceVersion());
        assertThat(keysAfter.getData()).isEqualTo(keysBefore.getData());
    }

    @Test
    void aSecretFromBeforeTheRuntimeTokenGetsItAddedAndKeepsEveryOtherKey() {
        // What an earlier operator generated: every key but the runtime token.
        Map<String, String> earlier = new TreeMap<>();
        for (String key : List.of("JWT_SECRET", "ENCRYPTION_KEY", "ACCESS_API_KEY", "ACCESS_ANON_KEY", "ROOT_ADMIN_USERNAME",
                "ROOT_ADMIN_PASSWORD", "POSTGRES_PASSWORD")) {
            earlier.put(key, Base64.getEncoder().encodeToString(("earlier-" + key.toLowerCase()).getBytes(StandardCharsets.UTF_8)));
        }
        client.resource(new SecretBuilder()
                .withNewMetadata().withNamespace("team-g").withName("eta-keys").endMetadata()
                .withType("Opaque").withData(earlier).build()).create();

        Project project = client.resource(project("team-g", "eta", DeletionPolicy.Retain)).create();
        await("the runtime token added", () -> client.secrets().inNamespace("team-g").withName("eta-keys").get()
                .getData().containsKey("ANVIL_DENO_RUNTIME_TOKEN"));
        await("eta Deployments", () -> deployments("team-g").size() == 3);
        Secret keys = client.secrets().inNamespace("team-g").withName("eta-keys").get();
        assertThat(keys.getData()).containsAllEntriesOf(earlier).hasSize(earlier.size() + 1);
        assertThat(KeysSecret.decoded(keys, "ANVIL_DENO_RUNTIME_TOKEN")).matches("[0-9a-f]{64}");
        assertThat(keys.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(project.getMetadata().getUid()));

        // Once there, it stays: reconciling again (a spec change) regenerates nothing.
        String token = KeysSecret.decoded(keys, "ANVIL_DENO_RUNTIME_TOKEN");
        client.resources(Project.class).inNamespace("team-g").withName("eta").edit(p -> {
            p.getSpec().images = new ProjectSpec.Images();
            p.getSpec().images.deno = "anvil-deno-runtime:v2";
            return p;
        });
        await("deno image updated", () -> "anvil-deno-runtime:v2".equals(client.apps().deployments().inNamespace("team-g")
                .withName("eta-deno").get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));
        Secret after = client.secrets().inNamespace("team-g").withName("eta-keys").get();
        assertThat(after.getData()).isEqualTo(keys.getData());
        assertThat(KeysSecret.decoded(after, "ANVIL_DENO_RUNTIME_TOKEN")).isEqualTo(token);
    }

    @Test
    void aFreshOperatorReconcilingEverythingAgainWritesNothing() {
        client.resource(project("team-c", "gamma", DeletionPolicy.Retain)).create();
        await("gamma Deployments", () -> deployments("team-c").size() == 3);
        cluster.markDeploymentsAvailable("team-c");
        await("gamma Ready", () -> condition("team-c", "gamma", ResourceStatus.READY, "True"));
        // reconciles still queued from the Deployment events would otherwise run during shutdown
        TestCluster.awaitQuiet(operator);
        Map<String, String> before = resourceVersions("team-c");
        String projectBefore = client.getKubernetesSerialization().asJson(get("team-c", "gamma"));

        operator.close();
        operator = cluster.startOperator(ProjectEndpoints.inCluster());
        long projects = client.resources(Project.class).inAnyNamespace().list().getItems().size();
        await("the new operator reconciled every Project",
                () -> operator.metrics().total("anvil_operator_reconciliations_succeeded_total") >= projects);
        TestCluster.awaitQuiet(operator);

        assertThat(resourceVersions("team-c")).as("before: " + projectBefore + "\nafter: "
                + client.getKubernetesSerialization().asJson(get("team-c", "gamma"))).isEqualTo(before);
    }

    @Test
    void deletingWithRetainKeepsTheDatabaseAndItsKeysForTheNextProjectOfThatName() throws Exception {
        Project first = client.resource(project("team-d", "delta", DeletionPolicy.Retain)).create();
        String db = ProjectNames.of(first).databaseIdentifier();
        await("delta Deployments", () -> deployments("team-d").size() == 3);
        Secret keys = client.secrets().inNamespace("team-d").withName("delta-keys").get();
        TestPostgres.query("postgres", "SELECT 1"); // the database exists before deletion:
        assertThat(TestPostgres.query("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")).isEqualTo("1");

        client.resource(first).delete();
        await("delta gone", () -> get("team-d", "delta") == null);
        assertThat(TestPostgres.query("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")).isEqualTo("1");
        assertThat(TestPostgres.query("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + db + "'")).isEqualTo("1");
        Secret released = client.secrets().inNamespace("team-d").withName("delta-keys").get();
        assertThat(released.getMetadata().getOwnerReferences()).as("no owner: garbage collection keeps it").isEmpty();

        Project second = client.resource(project("team-d", "delta", DeletionPolicy.Retain)).create();
        await("the keys adopted by the new delta", () -> client.secrets().inNamespace("team-d").withName("delta-keys").get()
                .getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getUid().equals(second.getMetadata().getUid())));
        assertThat(client.secrets().inNamespace("team-d").withName("delta-keys").get().getData()).isEqualTo(keys.getData());
    }

    @Test
    void deletingWithDeleteDropsTheDatabaseAndRole() {
        Project project = client.resource(project("team-e", "epsilon", DeletionPolicy.Delete)).create();
        String db = ProjectNames.of(project).databaseIdentifier();
        await("epsilon database", () -> "1".equals(TestPostgres.query("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")));
        await("epsilon Deployments", () -> deployments("team-e").size() == 3);

        client.resource(project).delete();
        await("epsilon gone", () -> get("team-e", "epsilon") == null);
        assertThat(TestPostgres.query("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")).isEqualTo("0");
        assertThat(TestPostgres.query("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + db + "'")).isEqualTo("0");
    }

    @Test
    void twoProjectsCannotReachEachOthersDatabase() throws Exception {
        Project a = client.resource(project("team-f", "left", DeletionPolicy.Retain)).create();
        Project b = client.resource(project("team-f", "right", DeletionPolicy.Retain)).create();
        await("both keys", () -> client.secrets().inNamespace("team-f").list().getItems().size() == 2);
        await("both databases", () -> "2".equals(TestPostgres.query("postgres", "SELECT count(*) FROM pg_database WHERE datname IN ('"
                + ProjectNames.of(a).databaseIdentifier() + "','" + ProjectNames.of(b).databaseIdentifier() + "')")));
        Tenant left = tenant(a);
        Tenant right = tenant(b);

        try (Connection own = DriverManager.getConnection(TestPostgres.jdbcUrl(left.db()), left.role(), left.password());
             Statement statement = own.createStatement()) {
            statement.execute("CREATE TABLE notes (id int)");
            statement.execute("SET ROLE project_admin");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(TestPostgres.jdbcUrl(right.db()), left.role(), left.password()).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("permission denied for database");
        assertThatThrownBy(() -> DriverManager.getConnection(TestPostgres.jdbcUrl(left.db()), right.role(), right.password()).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("permission denied for database");
        assertThatThrownBy(() -> DriverManager.getConnection(TestPostgres.jdbcUrl(right.db()), right.role(), left.password()).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    }

    private record Tenant(String db, String role, String password) {
    }

    private static Tenant tenant(Project project) {
        ProjectNames names = ProjectNames.of(project);
        Secret keys = client.secrets().inNamespace(names.namespace()).withName(names.keysSecret()).get();
        return new Tenant(names.databaseIdentifier(), names.databaseIdentifier(), KeysSecret.decoded(keys, KeysSecret.POSTGRES_PASSWORD));
    }

    private static Map<String, String> resourceVersions(String namespace) {
        Map<String, String> versions = new TreeMap<>();
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
        all.addAll(client.services().inNamespace(namespace).list().getItems());
        all.addAll(client.secrets().inNamespace(namespace).list().getItems());
        all.addAll(client.persistentVolumeClaims().inNamespace(namespace).list().getItems());
        all.addAll(client.resources(Project.class).inNamespace(namespace).list().getItems());
        for (HasMetadata resource : all) {
            versions.put(resource.getKind() + "/" + resource.getMetadata().getName(), resource.getMetadata().getResourceVersion());
        }
        return versions;
    }

    static Project project(String namespace, String name, DeletionPolicy policy) {
        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        ProjectSpec spec = new ProjectSpec();
        spec.deletionPolicy = policy;
        project.setSpec(spec);
        return project;
    }

    static List<Deployment> deployments(String namespace) {
        return client.apps().deployments().inNamespace(namespace).list().getItems();
    }

    static Map<String, EnvVar> env(String namespace, String deployment) {
        return client.apps().deployments().inNamespace(namespace).withName(deployment).get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    static Project get(String namespace, String name) {
        return client.resources(Project.class).inNamespace(namespace).withName(name).get();
    }

    static boolean condition(String namespace, String name, String type, String status) {
        Project project = get(namespace, name);
        return project != null && project.getStatus() != null && project.getStatus().conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus()));
    }

    static Condition condition(Project project, String type) {
        return project.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }
}
