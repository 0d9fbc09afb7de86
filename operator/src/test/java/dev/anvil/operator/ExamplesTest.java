package dev.anvil.operator;

import static dev.anvil.operator.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.api.BucketSpec;
import dev.anvil.operator.api.FunctionSpec;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** The YAML in operator/examples (and so in the README) is valid and does what its comments say. */
class ExamplesTest {

    private static final Path EXAMPLES = TestCluster.repoRoot().resolve("operator/examples");
    private static final ObjectMapper STRICT = new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void everyExampleSpecUsesOnlyKnownFields() throws IOException {
        Map<String, Class<?>> specs = Map.of("Project", ProjectSpec.class, "Bucket", BucketSpec.class, "Function", FunctionSpec.class);
        int checked = 0;
        for (JsonNode document : documents()) {
            Class<?> type = specs.get(document.path("kind").asText());
            if (type != null) {
                assertThat(document.path("apiVersion").asText()).isEqualTo("anvil.dev/v1alpha1");
                STRICT.treeToValue(document.path("spec"), type);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theExamplesReconcileIntoWhatTheySay() throws IOException {
        TestPostgres.server();
        try (TestCluster cluster = new TestCluster();
             AnvilOperator operator = cluster.startOperator(ProjectEndpoints.inCluster())) {
            KubernetesClient client = cluster.client();
            for (Path file : exampleFiles()) {
                if (!file.getFileName().toString().startsWith("postgres-admin")) {
                    try (InputStream in = Files.newInputStream(file)) {
                        client.load(in).inNamespace("apps").create();
                    }
                }
            }
            await("todo, shop and legacy deployed", () -> client.apps().deployments().inNamespace("apps").list().getItems().size() == 3 + 3 + 2
                    && client.network().v1().ingresses().inNamespace("apps").withName("shop").get() != null);

            Map<String, EnvVar> shop = env(client, "shop-server");
            assertThat(shop.get("AWS_S3_BUCKET").getValue()).isEqualTo("shop-uploads");
            assertThat(shop.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("shop-credentials");
            assertThat(shop.get("API_BASE_URL").getValue()).isEqualTo("https://api.shop.example.com");
            assertThat(shop).doesNotContainKey("STORAGE_DIR");
            assertThat(client.apps().deployments().inNamespace("apps").withName("shop-server").get().getSpec().getReplicas()).isEqualTo(2);
            assertThat(client.persistentVolumeClaims().inNamespace("apps").withName("shop-storage").get()).isNull();
            Ingress ingress = client.network().v1().ingresses().inNamespace("apps").withName("shop").get();
            assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("api.shop.example.com");
            assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("api-shop-tls");

            Map<String, EnvVar> legacy = env(client, "legacy-server");
            assertThat(legacy.get("DATABASE_URL").getValueFrom().getSecretKeyRef().getName()).isEqualTo("legacy-db");
            assertThat(legacy).doesNotContainKeys("POSTGRES_HOST", "POSTGREST_BASE_URL");
            assertThat(client.apps().deployments().inNamespace("apps").withName("legacy-postgrest").get()).isNull();

            assertThat(client.persistentVolumeClaims().inNamespace("apps").withName("todo-storage").get()
                    .getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi");
        }
    }

    private static Map<String, EnvVar> env(KubernetesClient client, String deployment) {
        return client.apps().deployments().inNamespace("apps").withName(deployment).get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    private static List<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<JsonNode> documents() throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        for (Path file : exampleFiles()) {
            try (var parser = new YAMLFactory().createParser(file.toFile())) {
                var values = new YAMLMapper().readValues(parser, JsonNode.class);
                while (values.hasNext()) {
                    documents.add(values.next());
                }
            }
        }
        return documents;
    }
}
