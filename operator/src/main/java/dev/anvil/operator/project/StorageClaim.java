package dev.anvil.operator.project;

import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/** The volume behind local storage (STORAGE_DIR). Created once: a claim's class and access mode cannot change. */
final class StorageClaim {

    private StorageClaim() {
    }

    static PersistentVolumeClaim desired(Project project) {
        ProjectNames names = ProjectNames.of(project);
        ProjectSpec.Storage storage = project.getSpec().storage;
        String size = storage == null || storage.size == null ? "1Gi" : storage.size;
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                    .withName(names.storageClaim())
                    .withNamespace(names.namespace())
                    .withLabels(names.labels("storage"))
                    .withOwnerReferences(ProjectOwner.references(project))
                .endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(storage == null ? null : storage.storageClassName)
                    .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
                .endSpec()
                .build();
    }
}
