package dev.anvil.operator.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The environment the operator writes must be one the programs read: every name on the server
 * Deployment is a setting of the server, every name on the Deno Deployment is read by the
 * runtime host (and allowed by its permissions), and what a project in a cluster needs is set.
 *
 * <p>The server's settings come from the README's configuration table, not from the server's
 * classes: the table is generated from {@code SettingsCatalog} and the server's own
 * {@code ReadmeConfigurationTest} fails when they differ (the server module builds and tests
 * first), so it is the catalog's checked copy — plain text, readable with the operator module
 * alone, with no second module's classes loaded reflectively. The host's variables come from its
 * source ({@code Deno.env.get('…')} in host.ts), the only place it reads any.
 */
class GeneratedEnvironmentTest {

    /**
     * Names for parts of the server not merged yet: set now so a project needs no change when they
     * arrive. Each says who will read it; remove it here once the README lists it.
     */
    private static final Map<String, String> NOT_YET_READ = Map.of();

    private static final OperatorSettings SETTINGS = new OperatorSettings(Set.of(), 0, false, "anvil-system",
            new OperatorSettings.PostgresServer("postgres.db.svc", 5432, "postgres", "postgres", "secret", "require"),
            new OperatorSettings.DefaultImages("anvil-server:test", "postgrest:test", "deno:test"), 1);

    static Stream<Arguments> projects() {
        return Stream.of(
                Arguments.of("minimal: managed database, local storage, PostgREST", spec(s -> { })),
                Arguments.of("external database, embedded records", spec(s -> {
                    s.database = new ProjectSpec.Database();
                    s.database.mode = ProjectSpec.DatabaseMode.external;
                    s.database.secretRef = new dev.anvil.operator.api.SecretKeyRef();
                    s.database.secretRef.name = "db";
                    s.database.secretRef.key = "url";
                    s.records = ProjectSpec.RecordsEngine.embedded;
                })),
                Arguments.of("two replicas on S3 behind an Ingress with TLS", spec(s -> {
                    s.replicas = 2;
                    s.storage = new ProjectSpec.Storage();
                    s.storage.type = ProjectSpec.StorageType.s3;
                    s.storage.s3 = new ProjectSpec.S3();
                    s.storage.s3.bucket = "shared-uploads";
                    s.storage.s3.endpoint = "https://minio.example.com";
                    s.storage.s3.credentialsSecret = "s3";
                    s.ingress = new ProjectSpec.Ingress();
                    s.ingress.host = "api.example.com";
                    s.ingress.tlsSecretName = "tls";
                })));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("projects")
    void theServerIsGivenOnlySettingsItReads(String name, ProjectSpec spec) throws IOException {
        Set<String> known = serverSettings();
        assertThat(known).as("the README's settings table").contains("PORT", "DENO_RUNTIME_URL", "ANVIL_DENO_RUNTIME_TOKEN");
        for (String pending : NOT_YET_READ.keySet()) {
            assertThat(known).as(pending + " is a server setting now: drop it from NOT_YET_READ").doesNotContain(pending);
        }
        Set<String> unknown = new LinkedHashSet<>(env(server(project("apps", "todo", spec))).keySet());
        unknown.removeAll(known);
        unknown.removeAll(NOT_YET_READ.keySet());
        assertThat(unknown).as("set on the server Deployment but not read by the server").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("projects")
    void theRuntimeIsGivenOnlyWhatTheHostReadsAndMayRead(String name, ProjectSpec spec) throws IOException {
        Set<String> read = hostVariables();
        assertThat(read).as("variables host.ts reads").contains(DenoDeployment.TOKEN_ENV);
        Container runtime = container(new DenoDeployment(SETTINGS).desired(project("apps", "todo", spec)));
        Set<String> allowed = runtime.getCommand().stream().filter(arg -> arg.startsWith("--allow-env="))
                .flatMap(arg -> Stream.of(arg.substring("--allow-env=".length()).split(","))).collect(java.util.stream.Collectors.toSet());

        assertThat(env(runtime).keySet()).as("set on the Deno Deployment").isEqualTo(read);
        assertThat(allowed).as("--allow-env: what the host may read (it warns and runs unauthenticated without its token)")
                .containsAll(read);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("projects")
    void aProjectInTheClusterGetsWhatItNeeds(String name, ProjectSpec spec) {
        Project project = project("apps", "todo", spec);
        Container server = container(server(project));
        Map<String, EnvVar> env = env(server);
        Container runtime = container(new DenoDeployment(SETTINGS).desired(project));

        // keys from the Secret, never generated per pod (replicas and restarts must agree)
        for (String key : List.of("JWT_SECRET", "ENCRYPTION_KEY", "ACCESS_API_KEY", "ACCESS_ANON_KEY", "ROOT_ADMIN_PASSWORD",
                "ANVIL_DENO_RUNTIME_TOKEN")) {
            assertThat(env.get(key)).as(key).isNotNull();
            assertThat(env.get(key).getValueFrom().getSecretKeyRef().getName()).as(key).isEqualTo("todo-keys");
        }
        SecretKeySelector serverToken = env.get("ANVIL_DENO_RUNTIME_TOKEN").getValueFrom().getSecretKeyRef();
        assertThat(env(runtime).get(DenoDeployment.TOKEN_ENV).getValueFrom().getSecretKeyRef()).isEqualTo(serverToken);

        assertThat(value(env, "PORT")).isEqualTo("7130");
        assertThat(value(env, "DENO_RUNTIME_URL")).isEqualTo("http://todo-deno.apps.svc:7133");
        assertThat(value(env, "ANVIL_INTERNAL_URL")).isEqualTo("http://todo-server.apps.svc:7130");
        assertThat(runtime.getArgs()).contains("--port=7133", "--timeout-ms=" + value(env, "WORKER_TIMEOUT_MS"));
        assertThat(value(env, "API_BASE_URL")).isEqualTo(spec.ingress == null ? "http://todo-server.apps.svc:7130" : "https://api.example.com");
        // Behind an Ingress the connection's peer is the controller: rate limits need the client from X-Forwarded-For.
        assertThat(value(env, "ANVIL_TRUSTED_PROXY_HOPS")).isEqualTo(spec.ingress == null ? null : "1");

        if (spec.storageType() == ProjectSpec.StorageType.local) {
            String claimMount = server.getVolumeMounts().stream().filter(mount -> claimVolume(server(project), mount.getName()))
                    .map(mount -> mount.getMountPath()).findFirst().orElseThrow();
            assertThat(value(env, "STORAGE_DIR")).as("objects on the claim, not in the pod").startsWith(claimMount + "/");
        } else {
            assertThat(value(env, "AWS_S3_BUCKET")).isEqualTo("shared-uploads");
            // Two projects on one bucket must not share a folder (the server's default APP_KEY is "local").
            String other = value(env(container(server(project("apps", "shop", spec)))), "APP_KEY");
            assertThat(value(env, "APP_KEY")).isNotBlank().isNotEqualTo("local").isNotEqualTo(other);
        }
    }

    private static Deployment server(Project project) {
        return new ServerDeployment(SETTINGS).desired(project, DatabaseConnection.of(project, SETTINGS.postgres()),
                ProjectIngress.publicUrl(project));
    }

    private static boolean claimVolume(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(volume -> volume.getName().equals(name)).map(Volume::getPersistentVolumeClaim).anyMatch(java.util.Objects::nonNull);
    }

    /** The first column of the README's generated configuration table. */
    static Set<String> serverSettings() throws IOException {
        String readme = Files.readString(TestCluster.repoRoot().resolve("README.md"));
        int begin = readme.indexOf("<!-- settings:begin -->");
        int end = readme.indexOf("<!-- settings:end -->");
        assertThat(begin).as("README settings table markers").isNotNegative().isLessThan(end);
        Set<String> names = new LinkedHashSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z][A-Z0-9_]*)` \\|").matcher(readme.substring(begin, end));
        while (row.find()) {
            names.add(row.group(1));
        }
        return names;
    }

    /** Every variable host.ts reads. */
    static Set<String> hostVariables() throws IOException {
        String host = Files.readString(TestCluster.repoRoot().resolve("server/src/main/deno/host.ts"));
        Set<String> names = new LinkedHashSet<>();
        Matcher read = Pattern.compile("Deno\\.env\\.get\\(\\s*['\"]([A-Za-z0-9_]+)['\"]\\s*\\)").matcher(host);
        while (read.find()) {
            names.add(read.group(1));
        }
        return names;
    }

    private static ProjectSpec spec(Consumer<ProjectSpec> customise) {
        ProjectSpec spec = new ProjectSpec();
        spec.deletionPolicy = DeletionPolicy.Retain;
        customise.accept(spec);
        return spec;
    }

    private static Project project(String namespace, String name, ProjectSpec spec) {
        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid("uid-" + name).build());
        project.setSpec(spec);
        return project;
    }

    private static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Map<String, EnvVar> env(Deployment deployment) {
        return env(container(deployment));
    }

    private static Map<String, EnvVar> env(Container container) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        for (EnvVar variable : container.getEnv()) {
            assertThat(env.put(variable.getName(), variable)).as("set twice: " + variable.getName()).isNull();
        }
        return env;
    }

    private static String value(Map<String, EnvVar> env, String name) {
        EnvVar variable = env.get(name);
        return variable == null ? null : variable.getValue();
    }
}
