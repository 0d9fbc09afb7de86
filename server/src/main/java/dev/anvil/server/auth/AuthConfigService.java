package dev.anvil.server.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.mail.EmailTemplates;
import dev.anvil.server.auth.mail.Mailer;
import dev.anvil.server.auth.mail.SmtpConfigStore;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RequestBody;
import dev.anvil.server.platform.AuditLog;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Auth configuration (contract §2.5–2.6): the public view every client reads, and for admins the
 * auth config, the SMTP config and the e-mail templates.
 */
final class AuthConfigService implements HttpService {

    private final Credentials credentials;
    private final AuthConfigStore configs;
    private final SmtpConfigStore smtp;
    private final EmailTemplates templates;
    private final Mailer mailer;

    AuthConfigService(Credentials credentials, AuthConfigStore configs, SmtpConfigStore smtp, EmailTemplates templates,
                      Mailer mailer) {
        this.credentials = credentials;
        this.configs = configs;
        this.smtp = smtp;
        this.templates = templates;
        this.mailer = mailer;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/public-config", (req, res) -> Json.send(res, configs.publicConfig()))
                .get("/config", (req, res) -> {
                    credentials.admin(req);
                    Json.send(res, configs.get().toJson());
                })
                .put("/config", (req, res) -> {
                    credentials.admin(req);
                    JsonFields patch = RequestBody.object(req);
                    ObjectNode updated = configs.update(patch, mailer::available).toJson();
                    AuditLog.record(req, "UPDATE_AUTH_CONFIG", "AUTH", patch.raw());
                    Json.send(res, updated);
                })
                .get("/smtp-config", (req, res) -> {
                    credentials.admin(req);
                    Json.send(res, smtp.get().toJson());
                })
                .put("/smtp-config", (req, res) -> {
                    credentials.admin(req);
                    JsonFields body = RequestBody.object(req);
                    Json.send(res, smtp.update(body, configs.get().requireEmailVerification(), mailer).toJson());
                })
                .get("/email-templates", this::listTemplates)
                .put("/email-templates/{type}", this::updateTemplate);
    }

    private void listTemplates(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        ObjectNode reply = Json.object();
        ArrayNode data = reply.putArray("data");
        templates.list().forEach(template -> data.add(template.toJson()));
        Json.send(res, reply);
    }

    private void updateTemplate(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String type = req.path().pathParameters().get("type");
        JsonFields body = RequestBody.object(req);
        String subject = body.requiredString("subject");
        String bodyHtml = body.requiredString("bodyHtml");
        if (subject.isEmpty()) {
            throw ApiException.invalidInput("subject: Subject is required");
        }
        if (bodyHtml.isEmpty()) {
            throw ApiException.invalidInput("bodyHtml: Template body is required");
        }
        EmailTemplates.Template updated = templates.update(type, subject, bodyHtml).orElseThrow(() ->
                new ApiException(404, "EMAIL_TEMPLATE_NOT_FOUND", "Email template not found: " + type));
        Json.send(res, updated.toJson());
    }
}
