package dev.anvil.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One tenant: its database, keys, Anvil server, PostgREST and Deno runtime. */
@Group(Project.GROUP)
@Version(Project.VERSION)
@Kind("Project")
@Plural("projects")
@ShortNames("anvilproject")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "URL", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.url")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
@ValidationRule(value = "self.metadata.name.size() <= 50 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message = "a Project name must start with a letter and have at most 50 characters: it becomes Service names like <name>-postgrest")
public class Project extends CustomResource<ProjectSpec, ProjectStatus> implements Namespaced {

    public static final String GROUP = "anvil.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    protected ProjectStatus initStatus() {
        return new ProjectStatus();
    }
}
