package dev.anvil.operator.project;

import java.util.List;

import dev.anvil.operator.api.Project;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** The owner reference every in-cluster child carries, so garbage collection removes it with its Project. */
final class ProjectOwner {

    private ProjectOwner() {
    }

    static OwnerReference reference(Project project) {
        return new OwnerReferenceBuilder()
                .withApiVersion(project.getApiVersion())
                .withKind(project.getKind())
                .withName(project.getMetadata().getName())
                .withUid(project.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    static List<OwnerReference> references(Project project) {
        return List.of(reference(project));
    }
}
