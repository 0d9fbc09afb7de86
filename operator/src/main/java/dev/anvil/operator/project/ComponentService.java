package dev.anvil.operator.project;

import dev.anvil.operator.api.Project;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** The ClusterIP Service in front of a component's pods. */
final class ComponentService {

    private ComponentService() {
    }

    static Service desired(Project project, String component, int port) {
        ProjectNames names = ProjectNames.of(project);
        return new ServiceBuilder()
                .withNewMetadata()
                    .withName(project.getMetadata().getName() + "-" + component)
                    .withNamespace(names.namespace())
                    .withLabels(names.labels(component))
                    .withOwnerReferences(ProjectOwner.references(project))
                .endMetadata()
                .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(names.selector(component))
                    .addNewPort().withName("http").withPort(port).withTargetPort(new IntOrString("http")).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
