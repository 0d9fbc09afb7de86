package dev.anvil.operator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.AnvilOperator;
import dev.anvil.operator.admin.ProjectEndpoints;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * fabric8's mock API server in CRUD mode with our CRDs installed from {@code crds/} — a real
 * HTTP API with watches, but no defaulting, validation, garbage collection or controllers:
 * Deployments become available only when a test says so ({@link #markDeploymentsAvailable}).
 */
public final class TestCluster implements AutoCloseable {

    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    public TestCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new AuthorizingCrudDispatcher(), true);
        server.init();
        client = server.createClient();
        for (Path crd : committedCrds()) {
            try (InputStream in = Files.newInputStream(crd)) {
                client.load(in).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    /** Starts the operator against this cluster and the test Postgres, watching all namespaces. */
    public AnvilOperator startOperator(ProjectEndpoints endpoints) {
        return AnvilOperator.start(client, settings(Set.of(), false), endpoints);
    }

    /** The operator's settings in tests: the test Postgres, placeholder images, no probe port of its own. */
    public static OperatorSettings settings(Set<String> namespaces, boolean leaderElection) {
        return new OperatorSettings(namespaces, 0, leaderElection, "anvil-system",
                TestPostgres.operatorConnection(),
                new OperatorSettings.DefaultImages("anvil-server:test", "postgrest:test", "deno:test"), 8);
    }

    /** Plays the Deployment controller: every Deployment in the namespace reports its replicas available. */
    public void markDeploymentsAvailable(String namespace) {
        for (Deployment deployment : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
            deployment.setStatus(new DeploymentStatusBuilder()
                    .withObservedGeneration(deployment.getMetadata().getGeneration())
                    .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
                    .build());
            client.resource(deployment).updateStatus();
        }
    }

    /**
     * CRUD storage, plus an answer to SelfSubjectRulesReview (which the CRUD store rejects): the
     * caller may do everything, as a cluster admin's token could. JOSDK asks before leader election.
     */
    private static final class AuthorizingCrudDispatcher extends KubernetesCrudDispatcher {

        @Override
        public MockResponse handleCreate(RecordedRequest request) {
            if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
                return new MockResponse().setResponseCode(201).setBody("""
                        {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{},
                         "spec":{"namespace":"anvil-system"},
                         "status":{"incomplete":false,"nonResourceRules":[],
                                   "resourceRules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]}}""");
            }
            return super.handleCreate(request);
        }
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Waits until the operator has had nothing to do for a second (no reconciliation running, none started). */
    public static void awaitQuiet(AnvilOperator operator) {
        long[] last = {-1, System.nanoTime()};
        await("the operator to go quiet", () -> {
            long started = operator.metrics().total("anvil_operator_reconciliations_started_total");
            if (started != last[0] || operator.metrics().inFlight() > 0) {
                last[0] = started;
                last[1] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - last[1] > 1_000_000_000L;
        });
    }

    public static void await(String what, BooleanSupplier condition) {
        await(what, Duration.ofSeconds(30), condition);
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("anvil.repo.root", "..")).toAbsolutePath().normalize();
    }

    private static List<Path> committedCrds() {
        try (Stream<Path> files = Files.list(repoRoot().resolve("crds"))) {
            return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("crds/ is missing: run mvn -pl operator -Pupdate-crds process-classes", e);
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
