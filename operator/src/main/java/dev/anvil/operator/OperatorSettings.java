package dev.anvil.operator;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, read from its environment (the Helm chart sets these). Names
 * start with {@code ANVIL_} like the server's own Anvil-only settings.
 *
 * @param namespaces          namespaces to watch; empty means all
 * @param probePort           port of /healthz, /readyz and /metrics
 * @param leaderElection      whether to take a Lease before reconciling (for more than one replica)
 * @param leaseNamespace      namespace of the Lease (the operator's own)
 * @param postgres            the Postgres server managed project databases are created in
 * @param images              default images of the project components
 * @param reconcileThreads    concurrent reconciliations
 */
public record OperatorSettings(Set<String> namespaces, int probePort, boolean leaderElection, String leaseNamespace,
                               PostgresServer postgres, DefaultImages images, int reconcileThreads) {

    /**
     * Where managed databases live. The operator connects as {@code adminUser} (CREATEDB and
     * CREATEROLE; superuser or pre-created shared roles for BYPASSRLS); project pods connect to
     * the same host and port with their own login role.
     */
    public record PostgresServer(String host, int port, String adminDatabase, String adminUser, String adminPassword,
                                 String sslMode) {

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslMode;
        }

        public boolean configured() {
            return host != null && !host.isBlank();
        }
    }

    public record DefaultImages(String server, String postgrest, String deno) {
    }

    public static final String DEFAULT_SERVER_IMAGE = "ghcr.io/anvil-dev/anvil-server:1.6.0";
    public static final String DEFAULT_POSTGREST_IMAGE = "postgrest/postgrest:v12.2.12";
    public static final String DEFAULT_DENO_IMAGE = "ghcr.io/anvil-dev/anvil-deno-runtime:1.6.0";

    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        Set<String> namespaces = Arrays.stream(env.getOrDefault("ANVIL_OPERATOR_NAMESPACES", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        PostgresServer postgres = new PostgresServer(
                env.get("ANVIL_POSTGRES_HOST"),
                Integer.parseInt(env.getOrDefault("ANVIL_POSTGRES_PORT", "5432")),
                env.getOrDefault("ANVIL_POSTGRES_DATABASE", "postgres"),
                env.getOrDefault("ANVIL_POSTGRES_USER", "postgres"),
                env.getOrDefault("ANVIL_POSTGRES_PASSWORD", ""),
                env.getOrDefault("ANVIL_POSTGRES_SSLMODE", "prefer"));
        DefaultImages images = new DefaultImages(
                env.getOrDefault("ANVIL_IMAGE_SERVER", DEFAULT_SERVER_IMAGE),
                env.getOrDefault("ANVIL_IMAGE_POSTGREST", DEFAULT_POSTGREST_IMAGE),
                env.getOrDefault("ANVIL_IMAGE_DENO", DEFAULT_DENO_IMAGE));
        return new OperatorSettings(namespaces,
                Integer.parseInt(env.getOrDefault("ANVIL_OPERATOR_PROBE_PORT", "8080")),
                Boolean.parseBoolean(env.getOrDefault("ANVIL_OPERATOR_LEADER_ELECTION", "true")),
                env.getOrDefault("ANVIL_OPERATOR_LEASE_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "default")),
                postgres, images,
                Integer.parseInt(env.getOrDefault("ANVIL_OPERATOR_RECONCILE_THREADS", "20")));
    }
}
