package dev.anvil.server.auth.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.Mailbox;
import dev.anvil.server.testing.TestServer;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /api/email/send-raw} (the SDK's {@code emails.send}) against a real SMTP server
 * (GreenMail): who may send, what reaches whom, InsForge's validation messages, the SMTP-less
 * answer and the per-sender limit.
 */
class SendRawEmailTest {

    static Mailbox mailbox;
    static TestServer server;

    @BeforeAll
    static void start() {
        mailbox = Mailbox.start();
        Map<String, String> settings = new HashMap<>(mailbox.serverSettings());
        settings.put("ANVIL_RATE_LIMIT_SEND_RAW", "3/3600");
        server = TestServer.start("send_raw", settings);
    }

    @AfterAll
    static void stop() {
        server.close();
        mailbox.close();
    }

    static HttpCall.Reply sendRaw(String credential, String json) {
        return server.post("/api/email/send-raw").bearer(credential)
                .body("application/json", json.getBytes(StandardCharsets.UTF_8)).send();
    }

    static String userToken() {
        String id = UUID.randomUUID().toString();
        return server.userToken(id, id + "@users.test");
    }

    @Test
    void aUserSendsToEveryRecipientWithTheChosenNameAndReplyTo() throws Exception {
        HttpCall.Reply reply = sendRaw(userToken(), """
                {"to":["One@to-a.test","two@to-b.test"],"cc":"cc@cc.test","bcc":["bcc@bcc.test"],
                 "subject":"  Your order  ","html":"<p>Shipped &amp; on its way</p>","from":"Shop",
                 "replyTo":"help@shop.test"}""");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().isObject()).isTrue();
        assertThat(reply.json().isEmpty()).isTrue();
        for (String address : List.of("one@to-a.test", "two@to-b.test", "cc@cc.test", "bcc@bcc.test")) {
            assertThat(mailbox.inboxOf(address)).as(address).hasSize(1);
        }
        MimeMessage delivered = mailbox.inboxOf("bcc@bcc.test").get(0);
        assertThat(delivered.getSubject()).isEqualTo("Your order");
        assertThat(String.valueOf(delivered.getContent())).isEqualTo("<p>Shipped &amp; on its way</p>");
        assertThat(delivered.getFrom()[0].toString()).isEqualTo("Shop <" + Mailbox.SENDER + ">");
        assertThat(delivered.getReplyTo()[0].toString()).isEqualTo("help@shop.test");
        assertThat(Stream.of(delivered.getRecipients(Message.RecipientType.TO)).map(Object::toString))
                .containsExactly("one@to-a.test", "two@to-b.test");
        assertThat(delivered.getRecipients(Message.RecipientType.CC)[0].toString()).isEqualTo("cc@cc.test");
        assertThat(delivered.getHeader("Bcc")).as("Bcc is not shown to recipients").isNull();
    }

    @Test
    void theAdminKeySendsWithTheConfiguredSenderName() throws Exception {
        HttpCall.Reply reply = sendRaw(server.apiKey(), """
                {"to":"admin-mail@admin.test","subject":"Report","html":"<b>ok</b>"}""");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        MimeMessage delivered = mailbox.inboxOf("admin-mail@admin.test").get(0);
        assertThat(delivered.getFrom()[0].toString()).isEqualTo("Anvil Tests <" + Mailbox.SENDER + ">");
        assertThat(delivered.getHeader("Reply-To")).as("no Reply-To: replies go to the sender").isNull();
    }

    @Test
    void lineBreaksInTheSubjectOrNameCannotAddHeaders() throws Exception {
        HttpCall.Reply reply = sendRaw(userToken(), "{\"to\":\"target@inject.test\","
                + "\"subject\":\"Hi\\r\\nBcc: evil@evil.test\\r\\nX-Injected: 1\",\"html\":\"<p>hi</p>\","
                + "\"from\":\"Shop\\r\\nBcc: evil2@evil.test\"}");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(mailbox.inboxOf("evil@evil.test")).isEmpty();
        assertThat(mailbox.inboxOf("evil2@evil.test")).isEmpty();
        MimeMessage delivered = mailbox.inboxOf("target@inject.test").get(0);
        assertThat(delivered.getHeader("X-Injected")).isNull();
        assertThat(delivered.getHeader("Bcc")).isNull();
    }

    @Test
    void theAnonKeyIsRefused() {
        HttpCall.Reply reply = sendRaw(server.anonKey(), """
                {"to":"victim@anon.test","subject":"Hi","html":"<p>hi</p>"}""");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().get("error").asText()).isEqualTo("AUTH_INVALID_CREDENTIALS");
        assertThat(reply.json().get("message").asText()).isEqualTo("Sending emails requires an authenticated user");
        assertThat(mailbox.inboxOf("victim@anon.test")).isEmpty();
    }

    @Test
    void withoutACredentialItIsUnauthorized() {
        HttpCall.Reply reply = server.post("/api/email/send-raw")
                .json(Map.of("to", "x@none.test", "subject", "Hi", "html", "<p>hi</p>")).send();

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().get("error").asText()).isEqualTo("AUTH_INVALID_CREDENTIALS");
    }

    static Stream<Arguments> invalidBodies() {
        String many = "[" + String.join(",", java.util.Collections.nCopies(51, "\"a@b.test\"")) + "]";
        return Stream.of(
                Arguments.of("{\"subject\":\"s\",\"html\":\"h\"}", "to: Required"),
                Arguments.of("{\"to\":\"not-an-address\",\"subject\":\"s\",\"html\":\"h\"}", "to: Invalid email format"),
                Arguments.of("{\"to\":[],\"subject\":\"s\",\"html\":\"h\"}", "to: At least one email is required"),
                Arguments.of("{\"to\":" + many + ",\"subject\":\"s\",\"html\":\"h\"}", "to: Maximum 50 recipients allowed"),
                Arguments.of("{\"to\":[\"a@b.test\",\"nope\"],\"subject\":\"s\",\"html\":\"h\"}", "to.1: Invalid email format"),
                Arguments.of("{\"to\":[\"a@b.test\",7],\"subject\":\"s\",\"html\":\"h\"}", "to.1: Expected string, received number"),
                Arguments.of("{\"to\":42,\"subject\":\"s\",\"html\":\"h\"}", "to: Expected string or array, received number"),
                Arguments.of("{\"to\":\"a@b.test\",\"html\":\"h\"}", "subject: Required"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"   \",\"html\":\"h\"}", "subject: Subject is required"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"" + "s".repeat(501) + "\",\"html\":\"h\"}", "subject: Subject too long"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"s\"}", "html: Required"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"s\",\"html\":\" \"}", "html: HTML content is required"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"s\",\"html\":\"h\",\"cc\":\"bad\"}", "cc: Invalid email format"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"s\",\"html\":\"h\",\"bcc\":[]}", "bcc: At least one email is required"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"s\",\"html\":\"h\",\"from\":\"" + "n".repeat(101) + "\"}", "from: From name too long"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":\"s\",\"html\":\"h\",\"replyTo\":\"nope\"}", "replyTo: Reply-To must be a valid email"),
                Arguments.of("{\"to\":\"a@b.test\",\"subject\":1,\"html\":\"h\"}", "subject: Expected string, received number"));
    }

    @ParameterizedTest
    @MethodSource("invalidBodies")
    void invalidBodiesAreRefusedAndNothingIsSent(String body, String message) {
        int delivered = mailbox.inboxOf("a@b.test").size();

        HttpCall.Reply reply = sendRaw(server.apiKey(), body);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("error").asText()).isEqualTo("INVALID_INPUT");
        assertThat(reply.json().get("message").asText()).isEqualTo(message);
        assertThat(mailbox.inboxOf("a@b.test")).hasSize(delivered);
    }

    @Test
    void eachSenderHasItsOwnLimit() {
        String busy = userToken();
        for (int i = 0; i < 3; i++) {
            assertThat(sendRaw(busy, "{\"to\":\"n" + i + "@limit.test\",\"subject\":\"s\",\"html\":\"h\"}").status()).isEqualTo(200);
        }

        HttpCall.Reply refused = sendRaw(busy, "{\"to\":\"n3@limit.test\",\"subject\":\"s\",\"html\":\"h\"}");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("error").asText()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(mailbox.inboxOf("n3@limit.test")).isEmpty();

        assertThat(sendRaw(userToken(), "{\"to\":\"other@limit-other.test\",\"subject\":\"s\",\"html\":\"h\"}").status())
                .as("another user is not held back").isEqualTo(200);
    }

    @Test
    void withoutSmtpTheProviderIsNotConfigured() {
        try (TestServer bare = TestServer.start("send_raw_no_smtp")) {
            HttpCall.Reply reply = bare.post("/api/email/send-raw").bearer(bare.apiKey())
                    .json(Map.of("to", "x@nosmtp.test", "subject", "Hi", "html", "<p>hi</p>")).send();

            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.json().get("error").asText()).isEqualTo("EMAIL_PROVIDER_NOT_CONFIGURED");
        }
    }
}
