package dev.anvil.operator.admin;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.anvil.operator.api.Project;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Wakes the resources that name a Project (Buckets, Functions) when that Project changes — in
 * particular when it becomes Ready — through an index of the resources by project.
 */
public final class ProjectReferences {

    private static final String INDEX = "by-project";

    private ProjectReferences() {
    }

    public static <P extends HasMetadata> InformerEventSource<Project, P> eventSource(
            EventSourceContext<P> context, Class<P> kind, Function<P, String> projectOf) {
        context.getPrimaryCache().addIndexer(INDEX, resource -> List.of(key(resource.getMetadata().getNamespace(), projectOf.apply(resource))));
        var configuration = InformerEventSourceConfiguration.from(Project.class, kind)
                .withName("project")
                .withSecondaryToPrimaryMapper(project -> context.getPrimaryCache()
                        .byIndex(INDEX, key(project.getMetadata().getNamespace(), project.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((P resource) -> Set.of(
                        new ResourceID(projectOf.apply(resource), resource.getMetadata().getNamespace())))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
