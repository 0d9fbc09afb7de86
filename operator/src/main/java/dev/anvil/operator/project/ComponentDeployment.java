package dev.anvil.operator.project;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.anvil.operator.api.Project;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

/**
 * The shape every project component's Deployment shares: one container, non-root with a
 * read-only root filesystem (a writable /tmp), HTTP probes, labels and owner reference. The
 * three component classes say what differs: image, command, port, environment, volumes.
 */
final class ComponentDeployment {

    private final ProjectNames names;
    private final Project project;
    private final String component;
    private final List<EnvVar> env = new ArrayList<>();
    private final List<Volume> volumes = new ArrayList<>();
    private final List<VolumeMount> mounts = new ArrayList<>();
    private String image;
    private List<String> command;
    private List<String> args;
    private int replicas = 1;
    private int port;
    private ResourceRequirements resources;
    private Probe readiness;
    private Probe liveness;

    ComponentDeployment(Project project, String component) {
        this.project = project;
        this.names = ProjectNames.of(project);
        this.component = component;
        volume("tmp", "/tmp", new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    }

    /** The Project's own image for this component when it names one, else the operator's default. */
    ComponentDeployment image(String fromSpec, String operatorDefault) {
        this.image = fromSpec != null ? fromSpec : operatorDefault;
        return this;
    }

    /** What the container runs instead of the image's entrypoint and default arguments. */
    ComponentDeployment command(List<String> command, List<String> args) {
        this.command = List.copyOf(command);
        this.args = List.copyOf(args);
        return this;
    }

    ComponentDeployment replicas(int replicas) {
        this.replicas = replicas;
        return this;
    }

    ComponentDeployment port(int port) {
        this.port = port;
        return this;
    }

    ComponentDeployment resources(ResourceRequirements resources) {
        this.resources = resources;
        return this;
    }

    ComponentDeployment env(String name, String value) {
        env.add(new EnvVarBuilder().withName(name).withValue(value).build());
        return this;
    }

    ComponentDeployment secretEnv(String name, String secret, String key) {
        env.add(new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef().endValueFrom()
                .build());
        return this;
    }

    ComponentDeployment volume(String name, String mountPath, Volume volume) {
        volumes.add(volume);
        mounts.add(new VolumeMountBuilder().withName(name).withMountPath(mountPath).build());
        return this;
    }

    ComponentDeployment readiness(String path, int probePort) {
        this.readiness = httpProbe(path, probePort, 2, 5);
        return this;
    }

    ComponentDeployment liveness(String path, int probePort) {
        this.liveness = httpProbe(path, probePort, 10, 20);
        return this;
    }

    /**
     * A liveness probe that keeps failing for {@code tolerated} before the kubelet restarts the
     * container: for a process that reports itself unhealthy while it winds down on its own.
     */
    ComponentDeployment liveness(String path, int probePort, Duration tolerated) {
        Probe probe = httpProbe(path, probePort, 10, 20);
        // Failures are counted from the first one, a period apart: threshold - 1 periods must outlast it.
        probe.setFailureThreshold((int) (tolerated.toSeconds() / probe.getPeriodSeconds()) + 2);
        this.liveness = probe;
        return this;
    }

    Deployment build() {
        Container container = new ContainerBuilder()
                .withName(component)
                .withImage(Objects.requireNonNull(image, "image"))
                .withCommand(command)
                .withArgs(args)
                .addNewPort().withName("http").withContainerPort(port).withProtocol("TCP").endPort()
                .withEnv(env)
                .withResources(resources)
                .withVolumeMounts(mounts)
                .withReadinessProbe(readiness)
                .withLivenessProbe(liveness)
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withReadOnlyRootFilesystem(true)
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().addToDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();
        String name = project.getMetadata().getName() + "-" + component;
        return new DeploymentBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(names.namespace())
                    .withLabels(names.labels(component))
                    .withOwnerReferences(ProjectOwner.references(project))
                .endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withNewSelector().withMatchLabels(names.selector(component)).endSelector()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(names.labels(component)).endMetadata()
                        .withNewSpec()
                            .withContainers(container)
                            .withVolumes(volumes)
                            .withAutomountServiceAccountToken(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withFsGroup(10001L)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * Ready when the Deployment controller has seen the current spec and every wanted replica is
     * updated and available. Observed, never assumed: the status is written by the cluster.
     */
    static boolean isReady(Deployment deployment) {
        if (deployment == null || deployment.getStatus() == null) {
            return false;
        }
        var status = deployment.getStatus();
        Long generation = deployment.getMetadata().getGeneration();
        if (generation != null && (status.getObservedGeneration() == null || status.getObservedGeneration() < generation)) {
            return false;
        }
        int wanted = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int updated = status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
        int available = status.getAvailableReplicas() == null ? 0 : status.getAvailableReplicas();
        return updated >= wanted && available >= wanted;
    }

    private static Probe httpProbe(String path, int port, int initialDelay, int period) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString(port)).endHttpGet()
                .withInitialDelaySeconds(initialDelay)
                .withPeriodSeconds(period)
                .withTimeoutSeconds(3)
                .withFailureThreshold(3)
                .build();
    }
}
