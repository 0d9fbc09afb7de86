package dev.anvil.operator;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.anvil.operator.admin.ProjectConnections;
import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.bucket.BucketReconciler;
import dev.anvil.operator.function.FunctionReconciler;
import dev.anvil.operator.project.ProjectReconciler;
import dev.anvil.operator.project.TenantDatabases;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
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
    private static final System.Logger LOG = System.getLogger(AnvilOperator.class.getName());

    private final Operator operator;
    private final TenantDatabases databases;
    private final ReconcileMetrics metrics;
    private final AtomicBoolean closing;

    private AnvilOperator(Operator operator, TenantDatabases databases, ReconcileMetrics metrics, AtomicBoolean closing) {
        this.operator = operator;
        this.closing = closing;
        this.databases = databases;
        this.metrics = metrics;
    }

    public static AnvilOperator start(KubernetesClient client, OperatorSettings settings, ProjectEndpoints endpoints) {
        AtomicBoolean closing = new AtomicBoolean();
        TenantDatabases databases = settings.postgres().configured() ? new TenantDatabases(settings.postgres()) : null;
        ReconcileMetrics metrics = new ReconcileMetrics();
        Operator operator = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withConcurrentReconciliationThreads(settings.reconcileThreads())
                    .withCloseClientOnStop(false)
                    // stopping waits for running reconciliations instead of cutting them off mid-write
                    .withReconciliationTerminationTimeout(java.time.Duration.ofSeconds(10))
                    // the CRDs are the chart's business; the operator needs no rights on CRD objects
                    .checkingCRDAndValidateLocalModel(false);
            if (settings.leaderElection()) {
                overrider.withLeaderElectionConfiguration(leaderElection(settings, closing));
            }
        });
        Clock clock = Clock.systemUTC();
        ProjectConnections connections = new ProjectConnections(client, endpoints);
        operator.register(new ProjectReconciler(settings, databases, endpoints, clock), c -> watch(c, settings));
        operator.register(new BucketReconciler(connections, clock), c -> watch(c, settings));
        operator.register(new FunctionReconciler(connections, clock), c -> watch(c, settings));
        operator.start();
        return new AnvilOperator(operator, databases, metrics, closing);
    }

    /**
     * A replica that loses the lease while running exits, so it cannot act on a stale view next
     * to the new leader; giving the lease up because we are shutting down is not a reason to exit.
     */
    private static LeaderElectionConfiguration leaderElection(OperatorSettings settings, AtomicBoolean closing) {
        String identity = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("anvil-operator-" + UUID.randomUUID());
        LeaderCallbacks callbacks = new LeaderCallbacks(
                () -> LOG.log(System.Logger.Level.INFO, "{0} is the leader", identity),
                () -> {
                    if (!closing.get()) {
                        LOG.log(System.Logger.Level.ERROR, "{0} lost the leader lease; exiting", identity);
                        System.exit(1);
                    }
                },
                leader -> LOG.log(System.Logger.Level.INFO, "Leader: {0}", leader));
        return new LeaderElectionConfiguration(LEASE_NAME, settings.leaseNamespace(),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE, LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, identity, callbacks, false);
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
        closing.set(true);
        operator.stop();
        if (databases != null) {
            databases.close();
        }
    }
}
