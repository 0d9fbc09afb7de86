package dev.anvil.operator.project;

import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;

/** Routes the project's host to its server Service; the server serves /api, /functions and /socket.io itself. */
final class ProjectIngress {

    private ProjectIngress() {
    }

    static Ingress desired(Project project) {
        ProjectNames names = ProjectNames.of(project);
        ProjectSpec.Ingress ingress = project.getSpec().ingress;
        IngressTLS tls = ingress.tlsSecretName == null ? null
                : new IngressTLSBuilder().withHosts(ingress.host).withSecretName(ingress.tlsSecretName).build();
        return new IngressBuilder()
                .withNewMetadata()
                    .withName(names.ingress())
                    .withNamespace(names.namespace())
                    .withLabels(names.labels("ingress"))
                    .withOwnerReferences(ProjectOwner.references(project))
                .endMetadata()
                .withNewSpec()
                    .withIngressClassName(ingress.className)
                    .withTls(tls == null ? java.util.List.of() : java.util.List.of(tls))
                    .addNewRule()
                        .withHost(ingress.host)
                        .withNewHttp()
                            .addNewPath()
                                .withPath("/")
                                .withPathType("Prefix")
                                .withNewBackend().withNewService().withName(names.server())
                                    .withNewPort().withName("http").endPort().endService().endBackend()
                            .endPath()
                        .endHttp()
                    .endRule()
                .endSpec()
                .build();
    }

    /** The URL clients use: https on the ingress host when TLS is set, http on it otherwise, else the in-cluster Service. */
    static String publicUrl(Project project) {
        ProjectSpec.Ingress ingress = project.getSpec().ingress;
        ProjectNames names = ProjectNames.of(project);
        if (ingress == null) {
            return names.serviceUrl(names.server(), ProjectNames.SERVER_PORT);
        }
        return (ingress.tlsSecretName == null ? "http://" : "https://") + ingress.host;
    }
}
