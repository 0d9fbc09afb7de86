package dev.anvil.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import dev.anvil.operator.testing.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, change, leave alone, and undo someone else's edit — without server-side apply. */
class ChildResourcesTest {

    private static TestCluster cluster;
    private static KubernetesClient client;
    private static ChildResources children;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        client = cluster.client();
        children = new ChildResources(client);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void createsThenUpdatesOnlyWhatChanged() {
        Deployment first = deployment("web", "image:1", "A");
        var created = children.apply(first, Optional.empty());
        assertThat(created.operation()).isEqualTo(ChildResources.Operation.CREATED);

        var again = children.apply(first, Optional.of(client.resource(first).get()));
        assertThat(again.operation()).isEqualTo(ChildResources.Operation.UNCHANGED);
        assertThat(again.resource().getMetadata().getResourceVersion()).isEqualTo(created.resource().getMetadata().getResourceVersion());

        var changed = children.apply(deployment("web", "image:2", null), Optional.of(client.resource(first).get()));
        assertThat(changed.operation()).isEqualTo(ChildResources.Operation.PATCHED);
        var container = client.resource(first).get().getSpec().getTemplate().getSpec().getContainers();
        assertThat(container).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo("image:2");
            assertThat(c.getEnv()).as("a variable no longer wanted is gone").isEmpty();
        });
    }

    @Test
    void undoesAnotherWritersChangeButToleratesServerDefaults() {
        Deployment wanted = deployment("api", "image:1", "A");
        children.apply(wanted, Optional.empty());

        Deployment live = client.resource(wanted).get();
        live.getSpec().getTemplate().getSpec().getContainers().get(0).setTerminationMessagePath("/dev/termination-log");
        live.getSpec().setRevisionHistoryLimit(10);
        Deployment defaulted = client.resource(live).update();
        assertThat(children.apply(wanted, Optional.of(defaulted)).operation())
                .as("fields only the server sets are not ours to reset").isEqualTo(ChildResources.Operation.UNCHANGED);

        defaulted.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("someone-else:latest");
        Deployment edited = client.resource(defaulted).update();
        assertThat(children.apply(wanted, Optional.of(edited)).operation()).isEqualTo(ChildResources.Operation.PATCHED);
        assertThat(client.resource(wanted).get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("image:1");
    }

    private static Deployment deployment(String name, String image, String env) {
        DeploymentBuilder builder = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace("children").addToLabels("app", name).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("main").withImage(image).endContainer()
                .endSpec().endTemplate().endSpec();
        if (env != null) {
            builder.editSpec().editTemplate().editSpec().editFirstContainer().addNewEnv().withName(env).withValue("1").endEnv()
                    .endContainer().endSpec().endTemplate().endSpec();
        }
        return builder.build();
    }
}
