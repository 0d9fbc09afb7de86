package dev.anvil.server.auth.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.auth.AuthInput;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.ClientAddress;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.RateLimit;
import dev.anvil.server.http.RequestBody;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/email/send-raw} — the SDK's {@code emails.send}: a signed-in user (or the admin)
 * sends an HTML e-mail through the project's SMTP configuration. Validation follows InsForge's
 * {@code sendRawEmailRequestSchema}; the anon key is refused, as InsForge does. Unlike InsForge,
 * sending is rate limited per sender ({@code ANVIL_RATE_LIMIT_EMAIL_SEND}): the route lets any
 * signed-up user send mail from the project's address.
 */
public final class SendEmailService implements HttpService {

    static final int MAX_RECIPIENTS = 50;
    static final int MAX_SUBJECT = 500;
    static final int MAX_FROM_NAME = 100;

    private final Credentials credentials;
    private final Mailer mailer;
    private final RateLimit sends;

    public SendEmailService(Credentials credentials, Mailer mailer, RateLimit sends) {
        this.credentials = credentials;
        this.mailer = mailer;
        this.sends = sends;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/send-raw", this::sendRaw);
    }

    private void sendRaw(ServerRequest req, ServerResponse res) {
        Principal caller = credentials.user(req);
        if (caller instanceof Principal.Anon) {
            throw new ApiException(401, "AUTH_INVALID_CREDENTIALS", "Sending emails requires an authenticated user");
        }
        OutgoingEmail email = parse(RequestBody.object(req));
        sends.consume(res, caller.userId().orElseGet(() -> "address:" + ClientAddress.of(req)));
        mailer.send(email);
        Json.send(res, Json.object());
    }

    static OutgoingEmail parse(JsonFields body) {
        List<String> to = recipients(body, "to").orElseThrow(() -> ApiException.invalidInput("to: Required"));
        String subject = body.requiredString("subject").strip();
        if (subject.isEmpty()) {
            throw ApiException.invalidInput("subject: Subject is required");
        }
        if (subject.length() > MAX_SUBJECT) {
            throw ApiException.invalidInput("subject: Subject too long");
        }
        String html = body.requiredString("html").strip();
        if (html.isEmpty()) {
            throw ApiException.invalidInput("html: HTML content is required");
        }
        Optional<String> fromName = body.string("from").map(String::strip);
        if (fromName.isPresent() && fromName.get().length() > MAX_FROM_NAME) {
            throw ApiException.invalidInput("from: From name too long");
        }
        Optional<String> replyTo = body.string("replyTo").map(address -> {
            try {
                return AuthInput.checkedEmail("replyTo", address);
            } catch (ApiException e) {
                throw ApiException.invalidInput("replyTo: Reply-To must be a valid email");
            }
        });
        return new OutgoingEmail(to, recipients(body, "cc").orElse(List.of()), recipients(body, "bcc").orElse(List.of()),
                subject, html, fromName.filter(name -> !name.isEmpty()), replyTo);
    }

    /** One address or a list of 1 to 50 ({@code to}, {@code cc}, {@code bcc}); absent when not given. */
    private static Optional<List<String>> recipients(JsonFields body, String field) {
        Optional<JsonNode> value = body.node(field);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = value.get();
        if (node.isTextual()) {
            return Optional.of(List.of(AuthInput.checkedEmail(field, node.textValue())));
        }
        if (!node.isArray()) {
            throw ApiException.invalidInput(field + ": Expected string or array, received " + JsonFields.typeName(node));
        }
        if (node.isEmpty()) {
            throw ApiException.invalidInput(field + ": At least one email is required");
        }
        if (node.size() > MAX_RECIPIENTS) {
            throw ApiException.invalidInput(field + ": Maximum " + MAX_RECIPIENTS + " recipients allowed");
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw ApiException.invalidInput(field + "." + i + ": Expected string, received " + JsonFields.typeName(item));
            }
            addresses.add(AuthInput.checkedEmail(field + "." + i, item.textValue()));
        }
        return Optional.of(addresses);
    }
}
