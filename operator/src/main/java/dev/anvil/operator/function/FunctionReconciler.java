package dev.anvil.operator.function;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.operator.admin.AdminApiException;
import dev.anvil.operator.admin.ProjectAdminApi;
import dev.anvil.operator.admin.ProjectConnections;
import dev.anvil.operator.admin.ProjectReferences;
import dev.anvil.operator.api.AnvilFunction;
import dev.anvil.operator.api.FunctionSpec;
import dev.anvil.operator.api.FunctionStatus;
import dev.anvil.operator.kube.Conditions;
import dev.anvil.operator.kube.StatusUpdates;
import io.fabric8.kubernetes.api.model.ConfigMap;
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
 * Deploys a function into its project (contract §5.1): created with POST when the slug is new,
 * updated with PUT when code, name, description or state differ. What the project answers goes
 * into the status — a function that failed to deploy (a compile error) is Degraded with the
 * project's build log as its message. Code from a ConfigMap is re-read on every reconcile (at
 * least every five minutes).
 */
@ControllerConfiguration(name = "function", maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public final class FunctionReconciler implements Reconciler<AnvilFunction>, Cleaner<AnvilFunction> {

    private final ProjectConnections connections;
    private final Conditions conditions;

    public FunctionReconciler(ProjectConnections connections, Clock clock) {
        this.connections = connections;
        this.conditions = new Conditions(clock);
    }

    @Override
    public List<EventSource<?, AnvilFunction>> prepareEventSources(EventSourceContext<AnvilFunction> context) {
        return List.of(ProjectReferences.eventSource(context, AnvilFunction.class, function -> function.getSpec().project));
    }

    @Override
    public UpdateControl<AnvilFunction> reconcile(AnvilFunction function, Context<AnvilFunction> context) {
        FunctionStatus status = StatusUpdates.copy(function.getStatus(), FunctionStatus.class);
        Long generation = function.getMetadata().getGeneration();
        FunctionSpec spec = function.getSpec();
        String code;
        try {
            code = code(function, context);
        } catch (IllegalStateException e) {
            conditions.markDegraded(status, "CodeNotFound", e.getMessage(), generation);
            return StatusUpdates.patchIfChanged(function, status, context).rescheduleAfter(60_000);
        }
        ProjectConnections.Connection connection = connections.open(function.getMetadata().getNamespace(), spec.project);
        if (!connection.available()) {
            conditions.markProgressing(status, connection.reason(), connection.message(), generation);
            return StatusUpdates.patchIfChanged(function, status, context).rescheduleAfter(60_000);
        }
        try {
            Deployed deployed = apply(connection.api(), spec, code, status);
            status.functionStatus = deployed.functionStatus();
            status.deployedAt = deployed.deployedAt();
            if (deployed.error() != null) {
                conditions.markDegraded(status, "DeployFailed", deployed.error(), generation);
            } else {
                conditions.markReady(status, "Deployed", "Function " + spec.slug + " is " + deployed.functionStatus(), generation);
            }
            return StatusUpdates.patchIfChanged(function, status, context);
        } catch (AdminApiException e) {
            conditions.markDegraded(status, e.status() == 0 ? "ProjectUnreachable" : e.status() < 500 ? "Rejected" : "ApiError",
                    e.getMessage(), generation);
            return StatusUpdates.patchIfChanged(function, status, context).rescheduleAfter(30_000);
        }
    }

    /** What the project holds after this reconcile; {@code error} is set when its deployment failed. */
    private record Deployed(String functionStatus, String deployedAt, String error) {
    }

    private static Deployed apply(ProjectAdminApi api, FunctionSpec spec, String code, FunctionStatus previous) throws AdminApiException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", spec.name != null ? spec.name : spec.slug);
        body.put("code", code);
        if (spec.description != null) {
            body.put("description", spec.description); // optional in the contract's schema: absent, never null
        }
        body.put("status", spec.statusOrDefault().name());
        String path = "/api/functions/" + ProjectAdminApi.segment(spec.slug);

        ProjectAdminApi.Reply current = api.get(path);
        ProjectAdminApi.Reply reply;
        if (current.status() == 404) {
            Map<String, Object> create = new LinkedHashMap<>(body);
            create.put("slug", spec.slug);
            reply = api.expectOk(api.send("POST", "/api/functions", create), "creating function " + spec.slug);
        } else {
            JsonNode existing = api.expectOk(current, "reading function " + spec.slug).body();
            if (matches(existing, body)) {
                // Unchanged: a failed deployment stays failed with the message recorded when it failed.
                String error = "error".equals(existing.path("status").asText())
                        ? Objects.requireNonNullElse(failureMessage(previous), "the project reports status error") : null;
                return new Deployed(existing.path("status").asText(), text(existing, "deployedAt"), error);
            }
            reply = api.expectOk(api.send("PUT", path, body), "updating function " + spec.slug);
        }
        JsonNode fn = reply.body().path("function");
        JsonNode deployment = reply.body().path("deployment");
        String error = null;
        if ("failed".equals(deployment.path("status").asText()) || "error".equals(fn.path("status").asText())) {
            error = buildLog(deployment);
        }
        return new Deployed(fn.path("status").asText(null), text(fn, "deployedAt"), error);
    }

    /** Same code, name, description and state; an active function whose deployment failed reads "error". */
    private static boolean matches(JsonNode existing, Map<String, Object> wanted) {
        String state = existing.path("status").asText();
        boolean sameState = state.equals(wanted.get("status")) || ("error".equals(state) && "active".equals(wanted.get("status")));
        return sameState
                && Objects.equals(text(existing, "code"), wanted.get("code"))
                && Objects.equals(text(existing, "name"), wanted.get("name"))
                && (!wanted.containsKey("description") || Objects.equals(text(existing, "description"), wanted.get("description")));
    }

    private static String buildLog(JsonNode deployment) {
        JsonNode logs = deployment.path("buildLogs");
        if (logs.isArray() && !logs.isEmpty()) {
            StringBuilder joined = new StringBuilder();
            logs.forEach(line -> joined.append(joined.isEmpty() ? "" : "\n").append(line.isTextual() ? line.asText() : line.toString()));
            return joined.toString();
        }
        if (logs.isTextual()) {
            return logs.asText();
        }
        return "deployment failed";
    }

    private static String failureMessage(FunctionStatus status) {
        return status.conditions.stream().filter(c -> "Degraded".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(io.fabric8.kubernetes.api.model.Condition::getMessage).findFirst().orElse(null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String code(AnvilFunction function, Context<AnvilFunction> context) {
        FunctionSpec spec = function.getSpec();
        if (spec.code != null) {
            return spec.code;
        }
        ConfigMap configMap = context.getClient().configMaps().inNamespace(function.getMetadata().getNamespace())
                .withName(spec.codeFrom.configMap).get();
        String code = configMap == null || configMap.getData() == null ? null : configMap.getData().get(spec.codeFrom.key);
        if (code == null) {
            throw new IllegalStateException("ConfigMap " + spec.codeFrom.configMap + " has no key " + spec.codeFrom.key);
        }
        return code;
    }

    @Override
    public DeleteControl cleanup(AnvilFunction function, Context<AnvilFunction> context) throws AdminApiException {
        ProjectConnections.Connection connection = connections.open(function.getMetadata().getNamespace(), function.getSpec().project);
        if (connection.available()) {
            ProjectAdminApi.Reply reply = connection.api().send("DELETE",
                    "/api/functions/" + ProjectAdminApi.segment(function.getSpec().slug), null);
            if (reply.status() != 404) {
                connection.api().expectOk(reply, "deleting function " + function.getSpec().slug);
            }
        }
        return DeleteControl.defaultDelete();
    }
}
