package dev.anvil.operator.kube;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Status writes as updates of the status subresource, and only when the status
 * actually changed — so a resource at rest is never written to. The written resource goes into
 * JOSDK's cache, so the next reconcile starts from it rather than from a stale copy.
 */
public final class StatusUpdates {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StatusUpdates() {
    }

    /** A deep copy of {@code status} (a fresh one when null) to compute the new status in. */
    public static <S> S copy(S status, Class<S> type) {
        if (status == null) {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return SERIALIZATION.convertValue(status, type);
    }

    /** Writes {@code newStatus} if it differs from the resource's; the returned control never writes again. */
    public static <S, R extends CustomResource<?, S>> UpdateControl<R> patchIfChanged(R resource, S newStatus, Context<R> context) {
        write(resource, newStatus, context);
        return UpdateControl.noUpdate();
    }

    public static <S, R extends CustomResource<?, S>> void write(R resource, S newStatus, Context<R> context) {
        JsonNode before = SERIALIZATION.convertValue(resource.getStatus(), JsonNode.class);
        JsonNode after = SERIALIZATION.convertValue(newStatus, JsonNode.class);
        if (Objects.equals(before, after)) {
            return;
        }
        // An update of the status subresource, not a merge patch: fabric8's mock API server
        // appends to lists (conditions) on merge patches.
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, fresh -> {
            fresh.setStatus(newStatus);
            return fresh;
        });
    }
}
