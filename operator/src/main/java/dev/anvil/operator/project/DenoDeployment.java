package dev.anvil.operator.project;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The Deno function runtime the server forwards {@code /functions/<slug>} to. Like InsForge's
 * runtime it reads active function code and decrypted secrets from the project's database, so it
 * gets the same database environment and ENCRYPTION_KEY as the server.
 */
final class DenoDeployment {

    static final String COMPONENT = "deno";

    private final OperatorSettings settings;

    DenoDeployment(OperatorSettings settings) {
        this.settings = settings;
    }

    Deployment desired(Project project, DatabaseConnection database, String publicUrl) {
        ProjectSpec spec = project.getSpec();
        ProjectNames names = ProjectNames.of(project);
        ComponentDeployment deployment = new ComponentDeployment(project, COMPONENT)
                .image(spec.images == null ? null : spec.images.deno, settings.images().deno())
                .replicas(spec.replicaCount() == 0 ? 0 : 1)
                .port(ProjectNames.DENO_PORT)
                .resources(spec.resources == null ? null : spec.resources.deno)
                .readiness("/health", ProjectNames.DENO_PORT)
                .liveness("/health", ProjectNames.DENO_PORT)
                .env("PORT", Integer.toString(ProjectNames.DENO_PORT))
                .env("API_BASE_URL", publicUrl)
                .env("INSFORGE_INTERNAL_URL", names.serviceUrl(names.server(), ProjectNames.SERVER_PORT));
        database.serverEnv(deployment);
        deployment.secretEnv("ENCRYPTION_KEY", names.keysSecret(), KeysSecret.ENCRYPTION_KEY)
                .secretEnv("JWT_SECRET", names.keysSecret(), KeysSecret.JWT_SECRET);
        return deployment.build();
    }
}
