package dev.anvil.operator;

import static dev.anvil.operator.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** The operator process: only the configured namespaces, a leader lease, and its probe and metrics endpoints. */
class OperatorProcessTest {

    @Test
    void watchesOnlyItsNamespacesHoldsTheLeaseAndServesProbesAndMetrics() throws Exception {
        TestPostgres.server();
        try (TestCluster cluster = new TestCluster();
             AnvilOperator operator = AnvilOperator.start(cluster.client(), TestCluster.settings(Set.of("watched"), true),
                     ProjectEndpoints.inCluster());
             ProbeServer probes = new ProbeServer(0, operator::healthy, () -> true, operator.metrics()::prometheusText)) {
            KubernetesClient client = cluster.client();
            await("leader lease taken", java.time.Duration.ofSeconds(90), () -> {
                Lease lease = client.leases().inNamespace("anvil-system").withName(AnvilOperator.LEASE_NAME).get();
                return lease != null && lease.getSpec().getHolderIdentity() != null;
            });

            client.resource(project("watched", "one")).create();
            client.resource(project("ignored", "two")).create();
            await("watched Project reconciled", () -> client.apps().deployments().inNamespace("watched").list().getItems().size() == 3);
            Thread.sleep(1000);
            assertThat(client.apps().deployments().inNamespace("ignored").list().getItems()).isEmpty();
            assertThat(client.resources(Project.class).inNamespace("ignored").withName("two").get().getStatus().conditions).isEmpty();

            HttpClient http = HttpClient.newHttpClient();
            Map<String, HttpResponse<String>> replies = new java.util.HashMap<>();
            for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
                replies.put(path, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probes.port() + path)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            assertThat(replies.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(replies.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(replies.get("/metrics").statusCode()).isEqualTo(200);
            assertThat(replies.get("/metrics").body()).contains("anvil_operator_reconciliations_succeeded_total{controller=\"project\"}")
                    .contains("anvil_operator_heap_used_bytes");
        }
    }

    private static Project project(String namespace, String name) {
        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        project.setSpec(new ProjectSpec());
        project.getSpec().deletionPolicy = dev.anvil.operator.api.DeletionPolicy.Delete;
        return project;
    }
}
