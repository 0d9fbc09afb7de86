package dev.anvil.operator.project;

import java.time.Duration;
import java.util.List;

import dev.anvil.operator.OperatorSettings;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The function runtime the server sends {@code /functions/<slug>} to: Anvil's runtime host
 * ({@code server/src/main/deno/host.ts}) in the image {@code server/deno-runtime.Dockerfile}
 * builds. The server pushes function code and decrypted secrets to it, authenticated by a token
 * both read from the project's Secret — so the runtime needs no database, no encryption key and
 * no JWT secret, and gets none: functions can reach whatever their runtime can.
 */
final class DenoDeployment {

    static final String COMPONENT = "deno";
    /** Where the image keeps the host, laid out as the build lays out {@code server/target/deno}. */
    static final String RUNTIME_DIR = "/opt/anvil/deno";
    /** The variable host.ts reads its token from: the only one its permissions let it read, deleted once read. */
    static final String TOKEN_ENV = "ANVIL_RUNTIME_TOKEN";
    /** Per-invocation timeout, given to the host and to the server (WORKER_TIMEOUT_MS) so both stop a call alike. */
    static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(60);
    /** How long a host with a stuck worker keeps serving the calls in flight before it exits (host.ts: timeout + 5 s). */
    static final Duration DRAIN = FUNCTION_TIMEOUT.plusSeconds(5);

    private final OperatorSettings settings;

    DenoDeployment(OperatorSettings settings) {
        this.settings = settings;
    }

    /**
     * {@code deno run} with the permissions the local runtime gets ({@code RuntimeProcess}): network,
     * and the token variable; no file system, subprocesses or remote imports (the SDK is in
     * {@code node_modules} next to the host).
     */
    static List<String> command() {
        return List.of("deno", "run", "--no-prompt", "--no-remote", "--no-check", "--unstable-net",
                "--allow-net", "--allow-env=" + TOKEN_ENV, "--v8-flags=--max-old-space-size=256",
                "--config", RUNTIME_DIR + "/deno.json", RUNTIME_DIR + "/host.ts");
    }

    /**
     * The host's options as a pod: on the Service port on every address, and {@code --on-stuck=exit}
     * — a worker stuck in a busy loop cannot be stopped inside Deno, so the host reports itself
     * draining (503 on /health), exits after {@link #DRAIN} and the kubelet restarts it.
     */
    static List<String> args() {
        return List.of("--port=" + ProjectNames.DENO_PORT, "--hostname=0.0.0.0", "--on-stuck=exit",
                "--timeout-ms=" + FUNCTION_TIMEOUT.toMillis());
    }

    Deployment desired(Project project) {
        ProjectSpec spec = project.getSpec();
        ProjectNames names = ProjectNames.of(project);
        return new ComponentDeployment(project, COMPONENT)
                .image(spec.images == null ? null : spec.images.deno, settings.images().deno())
                .command(command(), args())
                .replicas(spec.replicaCount() == 0 ? 0 : 1)
                .port(ProjectNames.DENO_PORT)
                .resources(spec.resources == null ? null : spec.resources.deno)
                // Draining: out of the Service at once, but not restarted before the calls in flight end.
                .readiness("/health", ProjectNames.DENO_PORT)
                .liveness("/health", ProjectNames.DENO_PORT, DRAIN)
                .secretEnv(TOKEN_ENV, names.keysSecret(), KeysSecret.RUNTIME_TOKEN)
                .build();
    }
}
