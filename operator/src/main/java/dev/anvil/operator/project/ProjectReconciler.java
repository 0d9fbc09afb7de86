package dev.anvil.operator.project;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.admin.AdminApiException;
import dev.anvil.operator.admin.ProjectAdminApi;
import dev.anvil.operator.admin.ProjectEndpoints;
import dev.anvil.operator.api.DeletionPolicy;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.ProjectStatus;
import dev.anvil.operator.api.ResourceStatus;
import dev.anvil.operator.kube.ChildResources;
import dev.anvil.operator.kube.Conditions;
import dev.anvil.operator.kube.StatusUpdates;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Turns a Project into its database and login role (through {@link TenantDatabases}), its keys
 * Secret, and the server, PostgREST and Deno Deployments and Services, plus a volume for local
 * storage and an Ingress when a host is set. Everything in the cluster carries the Project as
 * owner, so garbage collection removes it; the finalizer exists only for what lives outside the
 * cluster (the database and role) and honours deletionPolicy. Ready is reported only when the
 * Deployments' own status says their replicas are available.
 */
@ControllerConfiguration(name = "project")
public final class ProjectReconciler implements Reconciler<Project>, Cleaner<Project> {

    private static final System.Logger LOG = System.getLogger(ProjectReconciler.class.getName());
    private static final List<Class<? extends HasMetadata>> CHILD_KINDS =
            List.of(Deployment.class, Service.class, Secret.class, PersistentVolumeClaim.class, Ingress.class);

    private final OperatorSettings settings;
    private final TenantDatabases databases;
    private final ProjectEndpoints endpoints;
    private final Conditions conditions;
    private final ServerDeployment serverDeployment;
    private final PostgrestDeployment postgrestDeployment;
    private final DenoDeployment denoDeployment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ProjectReconciler(OperatorSettings settings, TenantDatabases databases, ProjectEndpoints endpoints, Clock clock) {
        this.settings = settings;
        this.databases = databases;
        this.endpoints = endpoints;
        this.conditions = new Conditions(clock);
        this.serverDeployment = new ServerDeployment(settings);
        this.postgrestDeployment = new PostgrestDeployment(settings);
        this.denoDeployment = new DenoDeployment(settings);
    }

    /** One informer per child kind, limited to objects labelled with a project and mapped back to it by that label. */
    @Override
    public List<EventSource<?, Project>> prepareEventSources(EventSourceContext<Project> context) {
        List<EventSource<?, Project>> sources = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : CHILD_KINDS) {
            sources.add(informer(kind, context));
        }
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, Project> informer(Class<R> kind, EventSourceContext<Project> context) {
        var configuration = InformerEventSourceConfiguration.from(kind, Project.class)
                .withName(kind.getSimpleName())
                .withLabelSelector(ProjectNames.PROJECT_LABEL)
                .withSecondaryToPrimaryMapper(child -> Set.of(new ResourceID(
                        child.getMetadata().getLabels().get(ProjectNames.PROJECT_LABEL), child.getMetadata().getNamespace())))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    @Override
    public UpdateControl<Project> reconcile(Project project, Context<Project> context) throws Exception {
        ProjectSpec spec = project.getSpec();
        ProjectNames names = ProjectNames.of(project);
        Secret keys = new KeysSecret(context.getClient()).reconcile(project, names, cached(context, Secret.class, names.keysSecret()));
        DatabaseConnection database = DatabaseConnection.of(project, settings.postgres());
        if (database instanceof DatabaseConnection.Managed managed) {
            if (databases == null) {
                throw new IllegalStateException("managed databases need the operator's Postgres connection (ANVIL_POSTGRES_HOST)");
            }
            if (databases.ensure(managed.identifier(), KeysSecret.decoded(keys, KeysSecret.POSTGRES_PASSWORD))) {
                LOG.log(System.Logger.Level.INFO, "Created database and role {0} for {1}/{2}", managed.identifier(), names.namespace(), names.project());
            }
        }

        String url = ProjectIngress.publicUrl(project);
        List<String> waiting = deployComponents(project, names, database, url, context).stream()
                .filter(deployment -> !ComponentDeployment.isReady(deployment))
                .map(deployment -> deployment.getMetadata().getName())
                .toList();

        ProjectStatus status = StatusUpdates.copy(project.getStatus(), ProjectStatus.class);
        status.url = url;
        status.database = database.databaseName();
        status.secretName = names.keysSecret();
        Long generation = project.getMetadata().getGeneration();
        String authError = null;
        boolean authPending = false;
        if (waiting.isEmpty()) {
            try {
                applyAuthSettings(project, keys, status, context);
            } catch (AdminApiException | RuntimeException e) {
                authError = e.getMessage();
            }
        } else {
            authPending = spec.auth != null;
        }

        if (authError != null) {
            conditions.markDegraded(status, "AuthSettingsFailed", authError, generation);
        } else if (!waiting.isEmpty()) {
            conditions.markProgressing(status, "ComponentsNotReady", "Waiting for " + String.join(", ", waiting)
                    + " to become available" + (authPending ? "; auth settings are applied once the server is up" : ""), generation);
        } else {
            conditions.markReady(status, "Available", "All components are available", generation);
        }

        UpdateControl<Project> control = StatusUpdates.patchIfChanged(project, status, context);
        // An admin API that failed is retried on a timer: no cluster event will announce its recovery.
        return authError != null ? control.rescheduleAfter(30_000) : control;
    }

    /**
     * Storage claim, the three components and their Services, the Ingress: written where they
     * differ from the spec, removed where the spec no longer asks for them. Returns the live
     * Deployments the Project's readiness depends on.
     */
    private List<Deployment> deployComponents(Project project, ProjectNames names, DatabaseConnection database, String url,
                                              Context<Project> context) {
        ProjectSpec spec = project.getSpec();
        ChildResources children = new ChildResources(context.getClient());
        if (spec.storageType() == ProjectSpec.StorageType.local && cached(context, PersistentVolumeClaim.class, names.storageClaim()).isEmpty()) {
            // created once: a claim's size can only grow and its class never changes, so it is not updated
            children.apply(StorageClaim.desired(project), Optional.empty());
        }
        List<Deployment> deployments = new ArrayList<>();
        deployments.add(children.apply(serverDeployment.desired(project, database, url),
                cached(context, Deployment.class, names.server())).resource());
        children.apply(ComponentService.desired(project, ServerDeployment.COMPONENT, ProjectNames.SERVER_PORT),
                cached(context, Service.class, names.server()));
        deployments.add(children.apply(denoDeployment.desired(project),
                cached(context, Deployment.class, names.deno())).resource());
        children.apply(ComponentService.desired(project, DenoDeployment.COMPONENT, ProjectNames.DENO_PORT),
                cached(context, Service.class, names.deno()));
        if (spec.recordsEngine() == ProjectSpec.RecordsEngine.postgrest) {
            deployments.add(children.apply(postgrestDeployment.desired(project, database),
                    cached(context, Deployment.class, names.postgrest())).resource());
            children.apply(ComponentService.desired(project, PostgrestDeployment.COMPONENT, ProjectNames.POSTGREST_PORT),
                    cached(context, Service.class, names.postgrest()));
        } else {
            children.deleteIfPresent(cached(context, Deployment.class, names.postgrest()));
            children.deleteIfPresent(cached(context, Service.class, names.postgrest()));
        }
        if (spec.ingress != null) {
            children.apply(ProjectIngress.desired(project), cached(context, Ingress.class, names.ingress()));
        } else {
            children.deleteIfPresent(cached(context, Ingress.class, names.ingress()));
        }
        return deployments;
    }

    private void applyAuthSettings(Project project, Secret keys, ProjectStatus status, Context<Project> context)
            throws AdminApiException {
        AuthSettingsSync sync = new AuthSettingsSync(context.getClient());
        Map<String, Map<String, Object>> calls = sync.desired(project);
        if (calls.isEmpty()) {
            status.appliedAuthSettings = null;
            return;
        }
        String fingerprint = AuthSettingsSync.fingerprint(calls);
        if (fingerprint.equals(status.appliedAuthSettings)) {
            return;
        }
        ProjectAdminApi api = new ProjectAdminApi(http,
                endpoints.adminUrl(project.getMetadata().getNamespace(), project.getMetadata().getName()),
                KeysSecret.decoded(keys, KeysSecret.ACCESS_API_KEY));
        sync.apply(api, calls);
        status.appliedAuthSettings = fingerprint;
    }

    @Override
    public ErrorStatusUpdateControl<Project> updateErrorStatus(Project project, Context<Project> context, Exception e) {
        ProjectStatus status = StatusUpdates.copy(project.getStatus(), ProjectStatus.class);
        Long generation = project.getMetadata().getGeneration();
        String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        conditions.markDegraded(status, "ReconcileError", message, generation);
        StatusUpdates.write(project, status, context);
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    @Override
    public DeleteControl cleanup(Project project, Context<Project> context) throws Exception {
        ProjectNames names = ProjectNames.of(project);
        if (project.getSpec().deletionPolicyOrDefault() == DeletionPolicy.Delete) {
            if (project.getSpec().databaseMode() == ProjectSpec.DatabaseMode.managed && databases != null) {
                databases.drop(names.databaseIdentifier());
                LOG.log(System.Logger.Level.INFO, "Dropped database and role {0} of deleted {1}/{2}",
                        names.databaseIdentifier(), names.namespace(), names.project());
            }
        } else {
            // The retained database is unreadable without its keys: keep the Secret out of garbage collection.
            new KeysSecret(context.getClient()).release(names);
        }
        return DeleteControl.defaultDelete();
    }

    /** A child from the informer cache, by name. */
    static <R extends HasMetadata> Optional<R> cached(Context<Project> context, Class<R> kind, String name) {
        return context.getSecondaryResources(kind).stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst();
    }
}
