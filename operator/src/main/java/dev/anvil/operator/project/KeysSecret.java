package dev.anvil.operator.project;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.kube.ChildResources;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The project's keys, generated once and never regenerated: the encryption key opens the
 * secrets stored in the project's database and the JWT secret signs its users' tokens, so a new
 * value would lock the project out of its own data. An existing Secret is only ever extended
 * with keys it lacks and (re-)adopted; its values are never touched. With deletionPolicy Retain
 * the Secret is released (owner reference removed) together with the database it belongs to,
 * and a Project re-created under the same name adopts it again.
 */
final class KeysSecret {

    static final String JWT_SECRET = "JWT_SECRET";
    static final String ENCRYPTION_KEY = "ENCRYPTION_KEY";
    static final String ACCESS_API_KEY = "ACCESS_API_KEY";
    static final String ACCESS_ANON_KEY = "ACCESS_ANON_KEY";
    static final String ROOT_ADMIN_USERNAME = "ROOT_ADMIN_USERNAME";
    static final String ROOT_ADMIN_PASSWORD = "ROOT_ADMIN_PASSWORD";
    static final String POSTGRES_PASSWORD = "POSTGRES_PASSWORD";
    /**
     * Shared by the server ({@code ANVIL_DENO_RUNTIME_TOKEN}) and the Deno runtime pods
     * ({@code ANVIL_RUNTIME_TOKEN}): it guards the runtime's control endpoints, which take code and
     * decrypted secrets. Added to Secrets created before it existed, like any missing key.
     */
    static final String RUNTIME_TOKEN = "ANVIL_DENO_RUNTIME_TOKEN";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;

    KeysSecret(KubernetesClient client) {
        this.client = client;
    }

    /** Ensures the Secret exists, is owned by the project and holds every key; returns the live Secret. */
    Secret reconcile(Project project, ProjectNames names, Optional<Secret> cached) {
        boolean managed = project.getSpec().databaseMode() == ProjectSpec.DatabaseMode.managed;
        Secret live = cached.orElseGet(() -> client.secrets().inNamespace(names.namespace()).withName(names.keysSecret()).get());
        if (live == null) {
            Secret secret = new SecretBuilder()
                    .withNewMetadata()
                        .withName(names.keysSecret())
                        .withNamespace(names.namespace())
                        .withLabels(names.labels("keys"))
                        .withOwnerReferences(ProjectOwner.reference(project))
                    .endMetadata()
                    .withType("Opaque")
                    .withData(encoded(generate(managed, Map.of())))
                    .build();
            return client.resource(secret).create();
        }
        Map<String, String> missing = generate(managed, live.getData() == null ? Map.of() : live.getData());
        boolean owned = live.getMetadata().getOwnerReferences().stream().anyMatch(o -> project.getMetadata().getUid().equals(o.getUid()));
        if (missing.isEmpty() && owned) {
            return live;
        }
        Secret patch = new SecretBuilder()
                .withNewMetadata()
                    .withLabels(names.labels("keys"))
                    .withOwnerReferences(ProjectOwner.reference(project))
                .endMetadata()
                .withData(encoded(missing))
                .build();
        return new ChildResources(client).mergeAndUpdate(live, client.getKubernetesSerialization().convertValue(patch, JsonNode.class));
    }

    /** Removes the owner reference so garbage collection keeps the keys of a retained database. */
    void release(ProjectNames names) {
        Secret live = client.secrets().inNamespace(names.namespace()).withName(names.keysSecret()).get();
        if (live != null && !live.getMetadata().getOwnerReferences().isEmpty()) {
            live.getMetadata().setOwnerReferences(null);
            client.resource(live).update();
        }
    }

    static String decoded(Secret secret, String key) {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        return value == null ? null : new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    }

    /** Fresh values for the keys {@code present} lacks (all of them for a new Secret). */
    private static Map<String, String> generate(boolean managed, Map<String, String> present) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(JWT_SECRET, hex(32));
        values.put(ENCRYPTION_KEY, hex(32));
        values.put(ACCESS_API_KEY, "ik_" + hex(32));
        values.put(ACCESS_ANON_KEY, "anon_" + hex(32));
        values.put(ROOT_ADMIN_USERNAME, "admin");
        values.put(ROOT_ADMIN_PASSWORD, hex(16));
        values.put(RUNTIME_TOKEN, hex(32));
        if (managed) {
            values.put(POSTGRES_PASSWORD, hex(24));
        }
        values.keySet().removeAll(present.keySet());
        return values;
    }

    /** Base64 {@code data}, not {@code stringData}: the value is then the same whoever reads it back. */
    private static Map<String, String> encoded(Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return data;
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
