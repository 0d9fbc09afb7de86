package dev.anvil.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An edge function of a Project, deployed through the project's admin API. The kind is
 * {@code Function}; the Java name avoids clashing with {@link java.util.function.Function}.
 */
@Group(Project.GROUP)
@Version(Project.VERSION)
@Kind("Function")
@Plural("functions")
@ShortNames("anvilfunction")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Project", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.project")
@AdditionalPrinterColumn(name = "Status", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.functionStatus")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class AnvilFunction extends CustomResource<FunctionSpec, FunctionStatus> implements Namespaced {

    @Override
    protected FunctionStatus initStatus() {
        return new FunctionStatus();
    }
}
