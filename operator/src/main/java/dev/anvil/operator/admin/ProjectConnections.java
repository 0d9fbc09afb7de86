package dev.anvil.operator.admin;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.kube.Conditions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Opens a project's admin API for a resource that belongs to it (a Bucket, a Function): the
 * Project must exist and be Ready, and its keys Secret supplies the admin API key.
 */
public final class ProjectConnections {

    private final KubernetesClient client;
    private final ProjectEndpoints endpoints;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ProjectConnections(KubernetesClient client, ProjectEndpoints endpoints) {
        this.client = client;
        this.endpoints = endpoints;
    }

    /** Either an API to call, or why there is none yet (reason + message for the resource's conditions). */
    public record Connection(ProjectAdminApi api, String reason, String message) {

        public boolean available() {
            return api != null;
        }
    }

    public Connection open(String namespace, String projectName) {
        Project project = client.resources(Project.class).inNamespace(namespace).withName(projectName).get();
        if (project == null) {
            return new Connection(null, "ProjectNotFound", "Project " + projectName + " does not exist in " + namespace);
        }
        if (project.getStatus() == null || !Conditions.isTrue(project.getStatus().conditions, ResourceStatus.READY)) {
            return new Connection(null, "ProjectNotReady", "Project " + projectName + " is not Ready yet");
        }
        Secret keys = client.secrets().inNamespace(namespace).withName(project.getStatus().secretName).get();
        String encoded = keys == null || keys.getData() == null ? null : keys.getData().get("ACCESS_API_KEY");
        if (encoded == null) {
            return new Connection(null, "ProjectKeysMissing", "Secret " + project.getStatus().secretName + " has no ACCESS_API_KEY");
        }
        String apiKey = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        return new Connection(new ProjectAdminApi(http, endpoints.adminUrl(namespace, projectName), apiKey), null, null);
    }

    public HttpClient http() {
        return http;
    }
}
