package dev.anvil.operator.project;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.SecretKeyRef;

/**
 * How a project's pods reach its database, as environment: the server gets InsForge's
 * {@code POSTGRES_*} (managed) or {@code DATABASE_URL} (external); PostgREST gets
 * {@code PGRST_DB_URI}. Passwords stay in Secrets and reach the pods through secretKeyRef; the
 * PostgREST URI embeds its password with Kubernetes' {@code $(VAR)} expansion.
 */
sealed interface DatabaseConnection {

    /** The database name shown in the Project's status. */
    String databaseName();

    void serverEnv(ComponentDeployment deployment);

    void postgrestEnv(ComponentDeployment deployment);

    static DatabaseConnection of(Project project, OperatorSettings.PostgresServer server) {
        ProjectSpec spec = project.getSpec();
        ProjectNames names = ProjectNames.of(project);
        if (spec.databaseMode() == ProjectSpec.DatabaseMode.external) {
            return new External(spec.database.secretRef);
        }
        return new Managed(server, names.databaseIdentifier(), names.keysSecret());
    }

    record Managed(OperatorSettings.PostgresServer server, String identifier, String keysSecret) implements DatabaseConnection {

        @Override
        public String databaseName() {
            return identifier;
        }

        @Override
        public void serverEnv(ComponentDeployment deployment) {
            deployment.env("POSTGRES_HOST", server.host())
                    .env("POSTGRES_PORT", Integer.toString(server.port()))
                    .env("POSTGRES_DB", identifier)
                    .env("POSTGRES_USER", identifier)
                    .secretEnv("POSTGRES_PASSWORD", keysSecret, KeysSecret.POSTGRES_PASSWORD);
        }

        @Override
        public void postgrestEnv(ComponentDeployment deployment) {
            // The password is hex, so it needs no escaping inside the URI.
            deployment.secretEnv("PGRST_DB_PASSWORD", keysSecret, KeysSecret.POSTGRES_PASSWORD)
                    .env("PGRST_DB_URI", "postgres://" + identifier + ":$(PGRST_DB_PASSWORD)@" + server.host() + ":"
                            + server.port() + "/" + identifier + "?sslmode=" + server.sslMode());
        }
    }

    record External(SecretKeyRef url) implements DatabaseConnection {

        @Override
        public String databaseName() {
            return "external (" + url.name + "/" + url.key + ")";
        }

        @Override
        public void serverEnv(ComponentDeployment deployment) {
            deployment.secretEnv("DATABASE_URL", url.name, url.key);
        }

        @Override
        public void postgrestEnv(ComponentDeployment deployment) {
            deployment.secretEnv("PGRST_DB_URI", url.name, url.key);
        }
    }
}
