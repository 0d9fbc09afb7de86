package dev.anvil.operator.project;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The Anvil server: InsForge's environment names, keys from the project's Secret, the database
 * from {@link DatabaseConnection}, PostgREST and Deno found through their Services. The server
 * migrates its database when it starts, so nothing here runs SQL. Every name set here is one the
 * server reads (its README settings table; {@code GeneratedEnvironmentTest} checks).
 */
final class ServerDeployment {

    static final String COMPONENT = "server";
    static final String DATA_DIR = "/var/lib/anvil";

    private final OperatorSettings settings;

    ServerDeployment(OperatorSettings settings) {
        this.settings = settings;
    }

    Deployment desired(Project project, DatabaseConnection database, String publicUrl) {
        ProjectSpec spec = project.getSpec();
        ProjectNames names = ProjectNames.of(project);
        ComponentDeployment deployment = new ComponentDeployment(project, COMPONENT)
                .image(spec.images == null ? null : spec.images.server, settings.images().server())
                .replicas(spec.replicaCount())
                .port(ProjectNames.SERVER_PORT)
                .resources(spec.resources == null ? null : spec.resources.server)
                .readiness("/observe/health/ready", ProjectNames.SERVER_PORT)
                .liveness("/api/health", ProjectNames.SERVER_PORT)
                .env("PORT", Integer.toString(ProjectNames.SERVER_PORT))
                .env("API_BASE_URL", publicUrl)
                .env("ANVIL_DATA_DIR", DATA_DIR);
        database.serverEnv(deployment);
        String keys = names.keysSecret();
        for (String key : new String[] {KeysSecret.JWT_SECRET, KeysSecret.ENCRYPTION_KEY, KeysSecret.ACCESS_API_KEY,
                KeysSecret.ACCESS_ANON_KEY, KeysSecret.ROOT_ADMIN_USERNAME, KeysSecret.ROOT_ADMIN_PASSWORD,
                KeysSecret.RUNTIME_TOKEN}) {
            deployment.secretEnv(key, keys, key);
        }
        if (spec.ingress != null) {
            // The ingress controller is the connection's peer: without this every client would
            // share its address, and one client's failed sign-ins would lock out everyone's.
            deployment.env("ANVIL_TRUSTED_PROXY_HOPS", "1");
        }
        if (spec.storageType() == ProjectSpec.StorageType.s3) {
            ProjectSpec.S3 s3 = spec.storage.s3;
            // A folder of its own in the bucket (the default, "local", is the same for every project).
            deployment.env("AWS_S3_BUCKET", s3.bucket)
                    .env("APP_KEY", names.namespace() + "/" + names.project())
                    .env("AWS_REGION", s3.region == null ? "us-east-1" : s3.region);
            if (s3.endpoint != null) {
                deployment.env("S3_ENDPOINT_URL", s3.endpoint);
            }
            deployment.secretEnv("AWS_ACCESS_KEY_ID", s3.credentialsSecret, "AWS_ACCESS_KEY_ID")
                    .secretEnv("AWS_SECRET_ACCESS_KEY", s3.credentialsSecret, "AWS_SECRET_ACCESS_KEY")
                    .volume("data", DATA_DIR, new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build());
        } else {
            deployment.env("STORAGE_DIR", DATA_DIR + "/storage")
                    .volume("data", DATA_DIR, new VolumeBuilder().withName("data")
                            .withNewPersistentVolumeClaim().withClaimName(names.storageClaim()).endPersistentVolumeClaim().build());
        }
        // The runtime pods are shared by all replicas; functions call the server back through its Service.
        deployment.env("DENO_RUNTIME_URL", names.serviceUrl(names.deno(), ProjectNames.DENO_PORT))
                .env("ANVIL_INTERNAL_URL", names.serviceUrl(names.server(), ProjectNames.SERVER_PORT))
                .env("WORKER_TIMEOUT_MS", Long.toString(DenoDeployment.FUNCTION_TIMEOUT.toMillis()));
        if (spec.recordsEngine() == ProjectSpec.RecordsEngine.postgrest) {
            deployment.env("POSTGREST_BASE_URL", names.serviceUrl(names.postgrest(), ProjectNames.POSTGREST_PORT));
        }
        return deployment.build();
    }
}
