package dev.anvil.operator.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

import dev.anvil.operator.api.Project;

/**
 * Every name derived from a Project, in one place. Kubernetes names are the project name plus a
 * component suffix. The database and its login role share one Postgres identifier built from the
 * namespace and name plus a hash of both, so {@code a-b/c} and {@code a/b-c} never collide and a
 * Project re-created under the same name finds its retained database again.
 */
public record ProjectNames(String namespace, String project) {

    public static final String PROJECT_LABEL = "anvil.dev/project";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "anvil-operator";

    public static final int SERVER_PORT = 7130;
    public static final int POSTGREST_PORT = 3000;
    public static final int DENO_PORT = 7133;

    public static ProjectNames of(Project project) {
        return new ProjectNames(project.getMetadata().getNamespace(), project.getMetadata().getName());
    }

    public String keysSecret() {
        return project + "-keys";
    }

    public String server() {
        return project + "-server";
    }

    public String postgrest() {
        return project + "-postgrest";
    }

    public String deno() {
        return project + "-deno";
    }

    public String storageClaim() {
        return project + "-storage";
    }

    public String ingress() {
        return project;
    }

    /** In-cluster URL of a component's Service. */
    public String serviceUrl(String service, int port) {
        return "http://" + service + "." + namespace + ".svc:" + port;
    }

    /** Database and login role name: {@code p_<namespace>_<name>} (truncated) + 10 hex of their hash. */
    public String databaseIdentifier() {
        String readable = (namespace + "_" + project).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (readable.length() > 40) {
            readable = readable.substring(0, 40);
        }
        return "p_" + readable + "_" + hash(namespace + "/" + project).substring(0, 10);
    }

    public Map<String, String> labels(String component) {
        return Map.of(
                "app.kubernetes.io/name", "anvil",
                "app.kubernetes.io/instance", project,
                COMPONENT_LABEL, component,
                MANAGED_BY_LABEL, MANAGED_BY,
                PROJECT_LABEL, project);
    }

    /** The labels a component's pods are selected by (a subset of {@link #labels}: selectors are immutable). */
    public Map<String, String> selector(String component) {
        return Map.of(PROJECT_LABEL, project, COMPONENT_LABEL, component);
    }

    private static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
