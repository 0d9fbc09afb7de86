package dev.anvil.operator.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.operator.admin.AdminApiException;
import dev.anvil.operator.admin.ProjectAdminApi;
import dev.anvil.operator.api.Project;
import dev.anvil.operator.api.ProjectSpec;
import dev.anvil.operator.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Applies a Project's auth block through its admin API (contract §2.6): {@code PUT /api/auth/config},
 * {@code PUT /api/auth/smtp-config} and one {@code PUT /api/auth/oauth/:provider/config} per
 * provider. The settings live in the project's database, where the dashboard and the MCP server
 * also edit them; the operator re-applies only when the spec (or a referenced secret) changes,
 * which it recognises by a fingerprint kept in the Project's status.
 */
final class AuthSettingsSync {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;

    AuthSettingsSync(KubernetesClient client) {
        this.client = client;
    }

    /** The calls to make, keyed by path; empty when the Project has no auth block. */
    Map<String, Map<String, Object>> desired(Project project) {
        ProjectSpec.Auth auth = project.getSpec().auth;
        Map<String, Map<String, Object>> calls = new LinkedHashMap<>();
        if (auth == null) {
            return calls;
        }
        String namespace = project.getMetadata().getNamespace();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("disableSignup", Boolean.FALSE.equals(auth.signup));
        config.put("requireEmailVerification", Boolean.TRUE.equals(auth.emailVerification));
        config.put("allowedRedirectUrls", auth.allowedRedirectUrls == null ? List.of() : auth.allowedRedirectUrls);
        calls.put("/api/auth/config", config);
        if (auth.smtp != null) {
            Map<String, Object> smtp = new LinkedHashMap<>();
            smtp.put("enabled", true);
            smtp.put("host", auth.smtp.host);
            smtp.put("port", auth.smtp.port == null ? 587 : auth.smtp.port);
            smtp.put("username", auth.smtp.username == null ? "" : auth.smtp.username);
            if (auth.smtp.passwordSecretRef != null) {
                smtp.put("password", secretValue(namespace, auth.smtp.passwordSecretRef));
            }
            smtp.put("senderEmail", auth.smtp.senderEmail);
            smtp.put("senderName", auth.smtp.senderName == null ? "" : auth.smtp.senderName);
            calls.put("/api/auth/smtp-config", smtp);
        }
        if (auth.oauth != null) {
            for (ProjectSpec.OAuthProvider provider : auth.oauth) {
                Map<String, Object> oauth = new LinkedHashMap<>();
                oauth.put("clientId", provider.clientId);
                oauth.put("clientSecret", secretValue(namespace, provider.clientSecretRef));
                if (provider.scopes != null) {
                    oauth.put("scopes", provider.scopes);
                }
                oauth.put("useSharedKey", false);
                calls.put("/api/auth/oauth/" + provider.provider.name() + "/config", oauth);
            }
        }
        return calls;
    }

    /** A digest of the desired calls (secret values included, so a rotated secret is re-applied). */
    static String fingerprint(Map<String, Map<String, Object>> calls) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(calls));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void apply(ProjectAdminApi api, Map<String, Map<String, Object>> calls) throws AdminApiException {
        for (Map.Entry<String, Map<String, Object>> call : calls.entrySet()) {
            String path = call.getKey();
            ProjectAdminApi.Reply reply = api.send("PUT", path, call.getValue());
            if (reply.status() == 404 && path.startsWith("/api/auth/oauth/")) {
                // Not configured yet: providers are created with POST, updated with PUT.
                Map<String, Object> create = new LinkedHashMap<>(call.getValue());
                create.put("provider", path.split("/")[4]);
                reply = api.send("POST", "/api/auth/oauth/configs", create);
            }
            api.expectOk(reply, "PUT " + path);
        }
    }

    private String secretValue(String namespace, SecretKeyRef ref) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name).get();
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ref.key);
        if (encoded == null) {
            throw new IllegalStateException("Secret " + ref.name + " has no key " + ref.key);
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
