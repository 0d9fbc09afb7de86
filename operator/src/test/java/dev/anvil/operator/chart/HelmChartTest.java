package dev.anvil.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.testing.TestCluster;
import org.junit.jupiter.api.Test;

/** The chart, linted and rendered offline with the Helm library helm-java embeds. */
class HelmChartTest {

    private static final Path CHART = TestCluster.repoRoot().resolve("charts/anvil");
    private static final ObjectMapper YAML = new YAMLMapper();
    /** YAML round trips turn 65535.0 into 65535: numbers are equal by value. */
    private static final Comparator<JsonNode> NUMERIC_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : (a.equals(b) ? 0 : 1);

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void clusterWideRbacCoversTheResourcesTheOperatorReadsAndWrites() throws IOException {
        List<JsonNode> objects = render(t -> t);
        JsonNode clusterRole = single(objects, "ClusterRole");
        assertThat(kinds(objects)).contains("ClusterRoleBinding", "ServiceAccount", "Deployment", "CustomResourceDefinition");
        assertThat(objects.stream().filter(o -> o.path("kind").asText().equals("Role")).map(o -> o.path("metadata").path("name").asText()))
                .as("only the leader-election Role is namespaced").containsExactly("anvil-leader-election");

        assertGrants(clusterRole, "anvil.dev", "projects", "get", "list", "watch", "update", "patch");
        assertGrants(clusterRole, "anvil.dev", "buckets", "get", "list", "watch", "update", "patch");
        assertGrants(clusterRole, "anvil.dev", "functions", "get", "list", "watch", "update", "patch");
        for (String kind : List.of("projects", "buckets", "functions")) {
            assertGrants(clusterRole, "anvil.dev", kind + "/status", "get", "update", "patch");
            assertGrants(clusterRole, "anvil.dev", kind + "/finalizers", "update");
        }
        assertGrants(clusterRole, "apps", "deployments", "get", "list", "watch", "create", "update", "patch", "delete");
        for (String kind : List.of("services", "secrets", "persistentvolumeclaims")) {
            assertGrants(clusterRole, "", kind, "get", "list", "watch", "create", "update", "patch", "delete");
        }
        assertGrants(clusterRole, "networking.k8s.io", "ingresses", "get", "list", "watch", "create", "update", "patch", "delete");
        assertGrants(clusterRole, "", "configmaps", "get", "list", "watch");
        assertGrants(single(objects, "Role"), "coordination.k8s.io", "leases", "get", "create", "update");

        JsonNode binding = single(objects, "ClusterRoleBinding");
        assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo("anvil");
        assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo("anvil-system");
        assertThat(env(single(objects, "Deployment")).get("ANVIL_OPERATOR_NAMESPACES")).isEmpty();
    }

    @Test
    void namespacedModeGrantsRolesOnlyInTheWatchedNamespaces() throws IOException {
        List<JsonNode> objects = render(t -> t.set("watch.allNamespaces", false)
                .set("watch.namespaces[0]", "team-a").set("watch.namespaces[1]", "team-b"));
        assertThat(kinds(objects)).doesNotContain("ClusterRole", "ClusterRoleBinding");
        List<String> roleNamespaces = objects.stream()
                .filter(o -> o.path("kind").asText().equals("Role") && o.path("metadata").path("name").asText().equals("anvil"))
                .map(o -> o.path("metadata").path("namespace").asText()).toList();
        assertThat(roleNamespaces).containsExactly("team-a", "team-b");
        for (JsonNode role : objects.stream().filter(o -> o.path("kind").asText().equals("Role")
                && o.path("metadata").path("name").asText().equals("anvil")).toList()) {
            assertGrants(role, "anvil.dev", "projects/status", "get", "update", "patch");
            assertGrants(role, "apps", "deployments", "get", "list", "watch", "create", "update", "patch", "delete");
        }
        assertThat(objects.stream().filter(o -> o.path("kind").asText().equals("RoleBinding")
                && o.path("metadata").path("name").asText().equals("anvil")).map(o -> o.path("metadata").path("namespace").asText()))
                .containsExactly("team-a", "team-b");
        assertThat(env(single(objects, "Deployment")).get("ANVIL_OPERATOR_NAMESPACES")).isEqualTo("team-a,team-b");

        List<JsonNode> releaseOnly = render(t -> t.set("watch.allNamespaces", false));
        assertThat(releaseOnly.stream().filter(o -> o.path("kind").asText().equals("Role") && o.path("metadata").path("name").asText().equals("anvil"))
                .map(o -> o.path("metadata").path("namespace").asText())).containsExactly("anvil-system");
    }

    @Test
    void theOperatorPodIsLockedDownAndProbed() throws IOException {
        JsonNode deployment = single(render(t -> t), "Deployment");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("resources").path("requests").path("memory").asText()).isEqualTo("256Mi");
        assertThat(container.path("resources").path("limits").path("cpu").asText()).isEqualTo("1");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("image").asText()).isEqualTo("ghcr.io/anvil-dev/anvil-operator:1.6.0");

        Map<String, JsonNode> env = envNodes(deployment);
        assertThat(env.get("ANVIL_POSTGRES_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("anvil-postgres-admin");
        assertThat(env.get("ANVIL_IMAGE_POSTGREST").path("value").asText()).isEqualTo("postgrest/postgrest:v12.2.12");
        // the images the repository's Dockerfiles build (their headers name these tags)
        assertThat(env.get("ANVIL_IMAGE_SERVER").path("value").asText()).isEqualTo(OperatorSettings.DEFAULT_SERVER_IMAGE);
        assertThat(env.get("ANVIL_IMAGE_DENO").path("value").asText()).isEqualTo(OperatorSettings.DEFAULT_DENO_IMAGE);
        assertThat(env(single(render(t -> t.set("images.server", "registry.local/anvil:dev")), "Deployment")).get("ANVIL_IMAGE_SERVER"))
                .isEqualTo("registry.local/anvil:dev");
    }

    @Test
    void crdsAreTemplatesThatUpgradeAndSurviveUninstall() throws IOException {
        List<JsonNode> crds = render(t -> t).stream().filter(o -> o.path("kind").asText().equals("CustomResourceDefinition")).toList();
        assertThat(crds).extracting(c -> c.path("metadata").path("name").asText())
                .containsExactlyInAnyOrder("projects.anvil.dev", "buckets.anvil.dev", "functions.anvil.dev");
        for (JsonNode crd : crds) {
            assertThat(crd.path("metadata").path("annotations").path("helm.sh/resource-policy").asText()).isEqualTo("keep");
            String name = crd.path("metadata").path("name").asText();
            JsonNode committed = YAML.readTree(Files.readString(TestCluster.repoRoot().resolve("crds/" + name + "-v1.yml")));
            assertThat(crd.path("spec").equals(NUMERIC_VALUE, committed.path("spec"))).as(name + " spec as committed in crds/").isTrue();
        }
        assertThat(render(t -> t.set("crds.install", false))).noneMatch(o -> o.path("kind").asText().equals("CustomResourceDefinition"));
    }

    @Test
    void refusesSeveralReplicasWithoutLeaderElection() {
        assertThatThrownBy(() -> render(t -> t.set("replicas", 2).set("leaderElection", false)))
                .hasMessageContaining("leaderElection");
    }

    private static List<JsonNode> render(UnaryOperator<TemplateCommand> options) throws IOException {
        String yaml = options.apply(new Helm(CHART).template().withName("anvil").withNamespace("anvil-system")).call();
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode node = values.next();
                if (node != null && node.has("kind")) {
                    objects.add(node);
                }
            }
        }
        return objects;
    }

    private static List<String> kinds(List<JsonNode> objects) {
        return objects.stream().map(o -> o.path("kind").asText()).toList();
    }

    private static JsonNode single(List<JsonNode> objects, String kind) {
        List<JsonNode> matching = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        assertThat(matching).as(kind).hasSize(1);
        return matching.get(0);
    }

    private static void assertGrants(JsonNode role, String group, String resource, String... verbs) {
        boolean granted = false;
        for (JsonNode rule : role.path("rules")) {
            List<String> groups = strings(rule.path("apiGroups"));
            List<String> resources = strings(rule.path("resources"));
            if (groups.contains(group) && resources.contains(resource) && strings(rule.path("verbs")).containsAll(List.of(verbs))) {
                granted = true;
            }
        }
        assertThat(granted).as(role.path("kind").asText() + " grants " + List.of(verbs) + " on " + group + "/" + resource).isTrue();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static Map<String, JsonNode> envNodes(JsonNode deployment) {
        Map<String, JsonNode> env = new java.util.LinkedHashMap<>();
        deployment.path("spec").path("template").path("spec").path("containers").get(0).path("env")
                .forEach(e -> env.put(e.path("name").asText(), e));
        return env;
    }

    private static Map<String, String> env(JsonNode deployment) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        envNodes(deployment).forEach((name, node) -> env.put(name, node.path("value").asText()));
        return env;
    }
}
