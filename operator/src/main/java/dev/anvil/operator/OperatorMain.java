package dev.anvil.operator;

import java.util.concurrent.CountDownLatch;

import dev.anvil.operator.admin.ProjectEndpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** {@code java -jar anvil-operator.jar}: configuration from the environment (see {@link OperatorSettings}). */
public final class OperatorMain {

    private OperatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
        KubernetesClient client = new KubernetesClientBuilder().build();
        AnvilOperator operator = AnvilOperator.start(client, settings, ProjectEndpoints.inCluster());
        ProbeServer probes = new ProbeServer(settings.probePort(), operator::healthy, () -> true, operator.metrics()::prometheusText);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            probes.close();
            operator.close();
            client.close();
            stopped.countDown();
        }, "anvil-operator-shutdown"));
        System.out.printf("Anvil operator started (namespaces: %s, probes on :%d)%n",
                settings.namespaces().isEmpty() ? "all" : settings.namespaces(), probes.port());
        stopped.await();
    }
}
