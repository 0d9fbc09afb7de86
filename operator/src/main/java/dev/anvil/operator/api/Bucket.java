package dev.anvil.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A storage bucket of a Project, applied through the project's admin API. */
@Group(Project.GROUP)
@Version(Project.VERSION)
@Kind("Bucket")
@Plural("buckets")
@ShortNames("anvilbucket")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Project", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.project")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class Bucket extends CustomResource<BucketSpec, ResourceStatus> implements Namespaced {

    @Override
    protected ResourceStatus initStatus() {
        return new ResourceStatus();
    }
}
