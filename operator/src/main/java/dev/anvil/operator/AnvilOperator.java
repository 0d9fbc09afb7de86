package dev.anvil.operator;

import java.time.Clock;

import dev.anvil.operator.admin.ProjectConnections;
import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.bucket.BucketReconciler;
import dev.anvil.operator.function.FunctionReconciler;
import dev.anvil.operator.project.ProjectReconciler;
import dev.anvil.operator.project.TenantDatabases;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * The operator: three controllers (Project, Bucket, Function) on one JOSDK {@link Operator}.
 * Server-side apply is switched off everywhere — primary status patches included — so the
 * operator works against API servers (and test servers) without it.
 */
public final class AnvilOperator implements AutoCloseable {

    public static final String LEASE_NAME = "anvil-operator";

    private final Operator operator;
    private final TenantDatabases databases;
    private final ReconcileMetrics metrics;

    private AnvilOperator(Operator operator, TenantDatabases databases, ReconcileMetrics metrics) {
        this.operator = operator;
        this.databases = databases;
        this.metrics = metrics;
    }

    public static AnvilOperator start(KubernetesClient client, OperatorSettings settings, ProjectEndpoints endpoints) {
        TenantDatabases databases = settings.postgres().configured() ? new TenantDatabases(settings.postgres()) : null;
        ReconcileMetrics metrics = new ReconcileMetrics();
        Operator operator = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withConcurrentReconciliationThreads(settings.reconcileThreads())
                    .withCloseClientOnStop(false);
            if (settings.leaderElection()) {
                overrider.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, settings.leaseNamespace()));
            }
        });
        Clock clock = Clock.systemUTC();
        ProjectConnections connections = new ProjectConnections(client, endpoints);
        operator.register(new ProjectReconciler(settings, databases, endpoints, clock), c -> watch(c, settings));
        operator.register(new BucketReconciler(connections, clock), c -> watch(c, settings));
        operator.register(new FunctionReconciler(connections, clock), c -> watch(c, settings));
        operator.start();
        return new AnvilOperator(operator, databases, metrics);
    }

    private static <R extends HasMetadata> void watch(ControllerConfigurationOverrider<R> configuration, OperatorSettings settings) {
        if (settings.namespaces().isEmpty()) {
            configuration.watchingAllNamespaces();
        } else {
            configuration.settingNamespaces(settings.namespaces());
        }
    }

    public ReconcileMetrics metrics() {
        return metrics;
    }

    public boolean healthy() {
        return !operator.getRuntimeInfo().isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    public boolean started() {
        return operator.getRuntimeInfo().isStarted();
    }

    @Override
    public void close() {
        operator.stop();
        if (databases != null) {
            databases.close();
        }
    }
}
