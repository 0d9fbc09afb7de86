package dev.anvil.server.platform;

import java.lang.System.Logger.Level;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ClientAddress;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.Principal;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Writes {@code system.audit_logs}: who did which admin action, from where (contract §8; read back
 * with {@code GET /api/logs/audits}). Domains record an action after it succeeded with
 * {@link #record(ServerRequest, String, String, JsonNode)}, which finds this writer in the request
 * context (put there by {@link #filter()}, as {@code ClientAddress} does for its policy) — so a
 * service needs one line, not a new constructor parameter. An audit write that fails is logged and
 * does not fail the action: the action has already happened, and answering an error would make the
 * client believe it had not.
 */
public final class AuditLog {

    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());
    /** What {@code inet} accepts from {@link ClientAddress}; anything else is stored as null. */
    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final DbClient db;

    public AuditLog(DbClient db) {
        this.db = db;
    }

    /**
     * @param actor     who acted: the admin's e-mail, or {@code api-key}
     * @param action    what happened, upper snake case ({@code CREATE_BUCKET})
     * @param module    the domain ({@code STORAGE})
     * @param details   JSON describing the action, or null
     * @param ipAddress the client address, or null
     */
    public void record(String actor, String action, String module, JsonNode details, String ipAddress) {
        String ip = ipAddress != null && IP_ADDRESS.matcher(ipAddress).matches() ? ipAddress : null;
        try {
            db.execute().insert("INSERT INTO system.audit_logs (actor, action, module, details, ip_address) "
                    + "VALUES (?, ?, ?, CAST(? AS jsonb), CAST(? AS inet))",
                    actor, action, module, details == null ? null : Json.string(details), ip);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not write audit record " + module + "/" + action + " by " + actor + ": "
                    + e.getMessage());
        }
    }

    /**
     * Records an action of the caller of {@code req} (who has passed an admin guard). Does nothing
     * when no audit log is installed on the routing (a probe server in a test).
     */
    public static void record(ServerRequest req, String action, String module, JsonNode details) {
        req.context().get(AuditLog.class, AuditLog.class)
                .ifPresent(log -> log.record(actor(req), action, module, details, ClientAddress.of(req)));
    }

    /** InsForge's actor: the admin's e-mail (its subject when it has none), or {@code api-key} for the key. */
    public static String actor(ServerRequest req) {
        return req.context().get(Principal.class, Principal.class).map(principal -> switch (principal) {
            case Principal.ApiKey key -> "api-key";
            case Principal.Anon anon -> "anon";
            case Principal.Token token -> token.email() != null && !token.email().isBlank() ? token.email() : token.subject();
        }).orElse("unknown");
    }

    /** Makes this writer the one {@link #record(ServerRequest, String, String, JsonNode)} uses. */
    public Filter filter() {
        return new Filter() {
            @Override
            public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
                req.context().register(AuditLog.class, AuditLog.this);
                chain.proceed();
            }
        };
    }
}
