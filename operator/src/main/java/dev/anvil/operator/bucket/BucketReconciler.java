package dev.anvil.operator.bucket;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.operator.admin.AdminApiException;
import dev.anvil.operator.admin.ProjectAdminApi;
import dev.anvil.operator.admin.ProjectConnections;
import dev.anvil.operator.admin.ProjectReferences;
import dev.anvil.operator.api.Bucket;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.kube.Conditions;
import dev.anvil.operator.kube.StatusUpdates;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

/**
 * Keeps a bucket in the project as the Bucket resource says (contract §4.1): created when
 * missing, visibility patched when it differs. Reconciled again every few minutes, so a bucket
 * removed or changed through the API is put back.
 */
@ControllerConfiguration(name = "bucket", maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public final class BucketReconciler implements Reconciler<Bucket>, Cleaner<Bucket> {

    private final ProjectConnections connections;
    private final Conditions conditions;

    public BucketReconciler(ProjectConnections connections, Clock clock) {
        this.connections = connections;
        this.conditions = new Conditions(clock);
    }

    @Override
    public List<EventSource<?, Bucket>> prepareEventSources(EventSourceContext<Bucket> context) {
        return List.of(ProjectReferences.eventSource(context, Bucket.class, bucket -> bucket.getSpec().project));
    }

    @Override
    public UpdateControl<Bucket> reconcile(Bucket bucket, Context<Bucket> context) {
        ResourceStatus status = StatusUpdates.copy(bucket.getStatus(), ResourceStatus.class);
        Long generation = bucket.getMetadata().getGeneration();
        ProjectConnections.Connection connection = connections.open(bucket.getMetadata().getNamespace(), bucket.getSpec().project);
        if (!connection.available()) {
            conditions.markProgressing(status, connection.reason(), connection.message(), generation);
            return StatusUpdates.patchIfChanged(bucket, status, context).rescheduleAfter(60_000);
        }
        try {
            boolean isPublic = bucket.getSpec().publicOrDefault();
            apply(connection.api(), name(bucket), isPublic);
            conditions.markReady(status, "Applied", "Bucket " + name(bucket) + " is " + (isPublic ? "public" : "private"), generation);
            return StatusUpdates.patchIfChanged(bucket, status, context);
        } catch (AdminApiException e) {
            conditions.markDegraded(status, e.status() == 0 ? "ProjectUnreachable" : "ApiError", e.getMessage(), generation);
            return StatusUpdates.patchIfChanged(bucket, status, context).rescheduleAfter(30_000);
        }
    }

    /** Creates the bucket or corrects its visibility, whichever is needed; nothing when it is as wanted. */
    private static void apply(ProjectAdminApi api, String name, boolean isPublic) throws AdminApiException {
        JsonNode buckets = api.expectOk(api.get("/api/storage/buckets"), "listing buckets").body();
        JsonNode existing = null;
        for (JsonNode bucket : buckets) {
            if (name.equals(bucket.path("name").asText())) {
                existing = bucket;
            }
        }
        if (existing == null) {
            api.expectOk(api.send("POST", "/api/storage/buckets", Map.of("bucketName", name, "isPublic", isPublic)),
                    "creating bucket " + name);
        } else if (existing.path("public").asBoolean() != isPublic) {
            api.expectOk(api.send("PATCH", "/api/storage/buckets/" + ProjectAdminApi.segment(name), Map.of("isPublic", isPublic)),
                    "changing visibility of bucket " + name);
        }
    }

    @Override
    public DeleteControl cleanup(Bucket bucket, Context<Bucket> context) throws AdminApiException {
        if (bucket.getSpec().deletionPolicyOrDefault() != DeletionPolicy.Delete) {
            return DeleteControl.defaultDelete();
        }
        ProjectConnections.Connection connection = connections.open(bucket.getMetadata().getNamespace(), bucket.getSpec().project);
        if (!connection.available()) {
            // The project is gone (or going): its database decides the bucket's fate.
            return DeleteControl.defaultDelete();
        }
        ProjectAdminApi.Reply reply = connection.api().send("DELETE", "/api/storage/buckets/" + ProjectAdminApi.segment(name(bucket)), null);
        if (reply.status() != 404) {
            connection.api().expectOk(reply, "deleting bucket " + name(bucket));
        }
        return DeleteControl.defaultDelete();
    }

    private static String name(Bucket bucket) {
        return bucket.getSpec().bucketName != null ? bucket.getSpec().bucketName : bucket.getMetadata().getName();
    }
}
