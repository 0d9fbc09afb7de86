package dev.anvil.server.platform;

import java.util.List;

import dev.anvil.server.http.ApiException;
import io.helidon.webserver.http.HttpRouting;

/**
 * InsForge features Anvil does not have — the AI gateway, payments, frontend deployments, database
 * backups, the S3 gateway. Their
 * routes answer 501 {@code NOT_IMPLEMENTED} with a pointer to the page that says what to do
 * instead, rather than the generic 404 "Endpoint not found": the SDK and the MCP server show the
 * message to the developer or agent, who then knows not to retry or look for a typo.
 */
final class UnavailableFeatures {

    /** Self-hosted InsForge's backup endpoints and their settings. */
    private static final List<String> BACKUPS = List.of("/api/database/backups", "/api/database/config");

    private UnavailableFeatures() {
    }

    static void register(HttpRouting.Builder routing) {
        unavailable(routing, "/api/ai", "AI integration (chat, embeddings, images)", "ai-integration-sdk");
        unavailable(routing, "/api/payments", "Payments (Stripe, Razorpay)", "payments");
        unavailable(routing, "/api/deployments", "Frontend deployments", "deployment");
        // The database is an ordinary Postgres here: back it up as one.
        BACKUPS.forEach(prefix -> unavailableWithAdvice(routing, prefix, "Database backups",
                "Back up the Postgres database with pg_dump or your platform's snapshots (the embedded one keeps "
                        + "its data in ANVIL_DATA_DIR/postgres); POST /api/database/advance/export exports tables."));
        unavailableWithAdvice(routing, "/api/storage/s3", "The S3-compatible storage gateway",
                "Use the storage API (/api/storage/buckets), or point S3 clients at the S3 bucket itself when "
                        + "AWS_S3_BUCKET is set.");
    }

    private static void unavailable(HttpRouting.Builder routing, String prefix, String feature, String docType) {
        unavailableWithAdvice(routing, prefix, feature, "GET /api/docs/" + docType + " explains what to use instead.");
    }

    private static void unavailableWithAdvice(HttpRouting.Builder routing, String prefix, String feature, String advice) {
        ApiException answer = new ApiException(501, "NOT_IMPLEMENTED", feature + " is not available on Anvil", advice);
        routing.any(prefix, (req, res) -> {
            throw answer;
        });
        routing.any(prefix + "/*", (req, res) -> {
            throw answer;
        });
    }
}
