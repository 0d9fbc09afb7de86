package dev.anvil.server.platform;

import dev.anvil.server.http.ApiException;
import io.helidon.webserver.http.HttpRouting;

/**
 * InsForge features Anvil does not have — the AI gateway, payments, frontend deployments. Their
 * routes answer 501 {@code NOT_IMPLEMENTED} with a pointer to the page that says what to do
 * instead, rather than the generic 404 "Endpoint not found": the SDK and the MCP server show the
 * message to the developer or agent, who then knows not to retry or look for a typo.
 */
final class UnavailableFeatures {

    private UnavailableFeatures() {
    }

    static void register(HttpRouting.Builder routing) {
        unavailable(routing, "/api/ai", "AI integration (chat, embeddings, images)", "ai-integration-sdk");
        unavailable(routing, "/api/payments", "Payments (Stripe, Razorpay)", "payments");
        unavailable(routing, "/api/deployments", "Frontend deployments", "deployment");
    }

    private static void unavailable(HttpRouting.Builder routing, String prefix, String feature, String docType) {
        ApiException answer = new ApiException(501, "NOT_IMPLEMENTED", feature + " is not available on Anvil",
                "GET /api/docs/" + docType + " explains what to use instead.");
        routing.any(prefix, (req, res) -> {
            throw answer;
        });
        routing.any(prefix + "/*", (req, res) -> {
            throw answer;
        });
    }
}
