package dev.anvil.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.kube.Conditions;
import dev.anvil.operator.project.TenantDatabases;
import dev.anvil.operator.testing.TestCluster;
import dev.anvil.operator.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (not part of the suite; {@code ./anvil bench operator}): N Projects (default 500)
 * created at once against the mock API server with the real embedded Postgres, until every one
 * is Ready. A stand-in for the Deployment controller marks each Deployment available as soon as
 * it appears. Reference, same run: the Postgres work alone — the same N databases and login
 * roles created through the same SQL and pool. Reports the time to all Ready, the ratio to the
 * reference, and the operator's heap (heap with the operator running minus heap after it stops;
 * the mock API server holding the same objects shares the JVM).
 */
class OperatorScaleBench {

    @Test
    void projectsCreatedAtOnceBecomeReady() throws Exception {
        int count = Integer.getInteger("bench.projects", 500);
        TestPostgres.server();
        System.out.printf("operator-scale: %d Projects, %d CPUs, load average %.2f%n", count,
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        long referenceMillis = referenceDatabaseWork(count);
        System.out.printf("reference: %d databases + login roles through the same SQL: %d ms%n", count, referenceMillis);

        try (TestCluster cluster = new TestCluster()) {
            KubernetesClient client = cluster.client();
            SharedIndexInformer<Deployment> kubelet = playDeploymentController(client);
            long heapBefore = usedHeapAfterGc();
            AtomicLong peakHeap = new AtomicLong();

            AnvilOperator operator = cluster.startOperator(ProjectEndpoints.inCluster());
            long started = System.nanoTime();
            ExecutorService creators = Executors.newFixedThreadPool(8);
            List<Future<?>> creations = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String namespace = "bench-" + (i % 50);
                String name = "p" + i;
                creations.add(creators.submit(() -> client.resource(project(namespace, name)).create()));
            }
            for (Future<?> creation : creations) {
                creation.get();
            }
            creators.shutdown();
            long created = System.nanoTime();

            long ready = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (ready < count && System.nanoTime() < deadline) {
                Thread.sleep(500);
                ready = client.resources(Project.class).inAnyNamespace().list().getItems().stream()
                        .filter(p -> p.getStatus() != null && Conditions.isTrue(p.getStatus().conditions, ResourceStatus.READY)).count();
                peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            }
            long allReadyMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(ready).as("Projects Ready").isEqualTo(count);

            long heapWithOperator = usedHeapAfterGc();
            long reconciliations = operator.metrics().total("anvil_operator_reconciliations_started_total");
            long failures = operator.metrics().total("anvil_operator_reconciliations_failed_total");
            operator.close();
            kubelet.close();
            long heapWithoutOperator = usedHeapAfterGc();

            System.out.printf("created all %d Projects in %d ms; all Ready after %d ms (%d reconciliations, %d failed and retried)%n",
                    count, (created - started) / 1_000_000, allReadyMillis, reconciliations, failures);
            System.out.printf("heap: %d MiB before the operator, %d MiB with it (after GC), %d MiB after it stopped; peak %d MiB%n",
                    mib(heapBefore), mib(heapWithOperator), mib(heapWithoutOperator), mib(peakHeap.get()));
            System.out.printf("operator heap (running minus stopped): %d MiB for %d Projects%n",
                    mib(heapWithOperator - heapWithoutOperator), count);
            System.out.printf("ratio (time to all Ready / reference database work): %.2fx%n", allReadyMillis / (double) referenceMillis);
        }
    }

    /** The floor: the same databases and roles, same SQL, same pool, 8 at a time; dropped again afterwards. */
    private static long referenceDatabaseWork(int count) throws Exception {
        try (TenantDatabases databases = new TenantDatabases(TestPostgres.operatorConnection())) {
            ExecutorService workers = Executors.newFixedThreadPool(8);
            long started = System.nanoTime();
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String identifier = "ref_" + i;
                work.add(workers.submit(() -> databases.ensure(identifier, "reference-password")));
            }
            for (Future<?> each : work) {
                each.get();
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            List<Future<?>> drops = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String identifier = "ref_" + i;
                drops.add(workers.submit(() -> {
                    databases.drop(identifier);
                    return null;
                }));
            }
            for (Future<?> drop : drops) {
                drop.get();
            }
            workers.shutdown();
            return millis;
        }
    }

    /** Marks every Deployment available as soon as it is created or changed, as the cluster would. */
    private static SharedIndexInformer<Deployment> playDeploymentController(KubernetesClient client) {
        ExecutorService writer = Executors.newFixedThreadPool(4);
        return client.apps().deployments().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment deployment) {
                writer.submit(() -> markAvailable(client, deployment));
            }

            @Override
            public void onUpdate(Deployment before, Deployment deployment) {
                if (deployment.getStatus() == null || deployment.getStatus().getObservedGeneration() == null
                        || deployment.getStatus().getObservedGeneration() < deployment.getMetadata().getGeneration()) {
                    writer.submit(() -> markAvailable(client, deployment));
                }
            }

            @Override
            public void onDelete(Deployment deployment, boolean unknownFinalState) {
            }
        });
    }

    private static void markAvailable(KubernetesClient client, Deployment deployment) {
        int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                Deployment live = client.apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
                        .withName(deployment.getMetadata().getName()).get();
                live.setStatus(new DeploymentStatusBuilder().withObservedGeneration(live.getMetadata().getGeneration())
                        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).build());
                client.resource(live).updateStatus();
                return;
            } catch (RuntimeException conflict) {
                // changed meanwhile: read again
            }
        }
    }

    private static Project project(String namespace, String name) {
        Project project = new Project();
        project.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        project.setSpec(new ProjectSpec());
        project.getSpec().deletionPolicy = DeletionPolicy.Delete;
        return project;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
