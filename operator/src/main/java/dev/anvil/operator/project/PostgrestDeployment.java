package dev.anvil.operator.project;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * PostgREST v12 configured as InsForge runs it (contract §3.2): anonymous role {@code anon}, JWT
 * secret = the project's JWT_SECRET, role claim {@code role}, schema reloads on channel
 * {@code pgrst}. It logs in as the project's own role, which may switch to the three shared roles.
 */
final class PostgrestDeployment {

    static final String COMPONENT = "postgrest";
    private static final int ADMIN_PORT = 3001;

    private final OperatorSettings settings;

    PostgrestDeployment(OperatorSettings settings) {
        this.settings = settings;
    }

    Deployment desired(Project project, DatabaseConnection database) {
        ProjectSpec spec = project.getSpec();
        ProjectNames names = ProjectNames.of(project);
        ComponentDeployment deployment = new ComponentDeployment(project, COMPONENT)
                .image(spec.images == null ? null : spec.images.postgrest, settings.images().postgrest())
                .replicas(spec.replicaCount() == 0 ? 0 : 1)
                .port(ProjectNames.POSTGREST_PORT)
                .resources(spec.resources == null ? null : spec.resources.postgrest)
                .readiness("/ready", ADMIN_PORT)
                .liveness("/live", ADMIN_PORT);
        database.postgrestEnv(deployment);
        deployment.env("PGRST_DB_SCHEMAS", "public")
                .env("PGRST_DB_ANON_ROLE", "anon")
                .secretEnv("PGRST_JWT_SECRET", names.keysSecret(), KeysSecret.JWT_SECRET)
                .env("PGRST_JWT_ROLE_CLAIM_KEY", ".role")
                .env("PGRST_DB_CHANNEL_ENABLED", "true")
                .env("PGRST_DB_CHANNEL", "pgrst")
                .env("PGRST_SERVER_PORT", Integer.toString(ProjectNames.POSTGREST_PORT))
                .env("PGRST_ADMIN_SERVER_PORT", Integer.toString(ADMIN_PORT));
        return deployment.build();
    }
}
