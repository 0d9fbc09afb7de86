package dev.anvil.operator.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Writes the objects a resource owns without server-side apply: create when absent, otherwise a
 * merge of our fields into the live object and an update — but only when the object differs
 * from what we want. Two signals decide
 * "differs": the hash of our desired object (kept in an annotation, so a field we stop setting
 * is noticed) and a subset comparison against the live object (so someone else's edit is
 * noticed). Reconciling an unchanged resource therefore writes nothing.
 */
public final class ChildResources {

    public static final String DESIRED_HASH_ANNOTATION = "anvil.dev/desired-hash";

    private final KubernetesClient client;
    private final KubernetesSerialization serialization;
    private final ObjectMapper mapper;

    public ChildResources(KubernetesClient client) {
        this.client = client;
        this.serialization = client.getKubernetesSerialization();
        this.mapper = new ObjectMapper();
    }

    public enum Operation { CREATED, PATCHED, UNCHANGED }

    public record Result<R extends HasMetadata>(R resource, Operation operation) {
    }

    /** Creates or merge-patches {@code desired}; {@code actual} is the live object if known (e.g. from a cache). */
    public <R extends HasMetadata> Result<R> apply(R desired, Optional<R> actual) {
        ObjectNode wanted = ownedFields(desired);
        String hash = hash(wanted);
        ObjectNode metadata = (ObjectNode) wanted.get("metadata");
        ObjectNode annotations = metadata.has("annotations") ? (ObjectNode) metadata.get("annotations") : metadata.putObject("annotations");
        annotations.put(DESIRED_HASH_ANNOTATION, hash);

        R live = actual.orElse(null);
        if (live == null) {
            R toCreate = serialization.convertValue(wanted, typeOf(desired));
            try {
                return new Result<>(client.resource(toCreate).create(), Operation.CREATED);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                live = client.resource(desired).get(); // our cache was behind: it exists
            }
        }
        JsonNode liveJson = serialization.convertValue(live, JsonNode.class);
        if (hash.equals(annotation(live, DESIRED_HASH_ANNOTATION)) && JsonSubset.contains(liveJson, wanted)) {
            return new Result<>(live, Operation.UNCHANGED);
        }
        return new Result<>(mergeAndUpdate(live, wanted), Operation.PATCHED);
    }

    /**
     * Applies {@code patch} to {@code live} with JSON merge patch semantics (RFC 7386: objects
     * merge, lists and values replace, null removes) on our side, then updates with the live
     * resourceVersion — a conflicting concurrent write fails and the reconcile is retried. Done
     * client-side because fabric8's mock API server appends to lists on a merge patch, and an
     * update behaves the same on every API server.
     */
    public <R extends HasMetadata> R mergeAndUpdate(R live, JsonNode patch) {
        ObjectNode merged = serialization.convertValue(live, ObjectNode.class);
        merge(merged, patch);
        R updated = serialization.convertValue(merged, typeOf(live));
        return client.resource(updated).update();
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        patch.fields().forEachRemaining(field -> {
            JsonNode value = field.getValue();
            JsonNode current = target.get(field.getKey());
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        });
    }

    /** Deletes an object if it exists (a component the spec no longer asks for). */
    public <R extends HasMetadata> boolean deleteIfPresent(Optional<R> actual) {
        return actual.map(r -> !client.resource(r).delete().isEmpty()).orElse(false);
    }

    /** The fields we own: metadata labels, annotations and owner references, and everything but status. */
    private ObjectNode ownedFields(HasMetadata desired) {
        ObjectNode json = serialization.convertValue(desired, ObjectNode.class);
        json.remove("status");
        ObjectNode metadata = (ObjectNode) json.get("metadata");
        ObjectNode owned = mapper.createObjectNode();
        for (String field : new String[] {"name", "namespace", "labels", "annotations", "ownerReferences"}) {
            if (metadata != null && metadata.has(field)) {
                owned.set(field, metadata.get(field));
            }
        }
        json.set("metadata", owned);
        return json;
    }

    private static String annotation(HasMetadata resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static String hash(JsonNode json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> Class<R> typeOf(R resource) {
        return (Class<R>) resource.getClass();
    }
}
