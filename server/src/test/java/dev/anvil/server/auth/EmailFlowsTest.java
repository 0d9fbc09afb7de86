package dev.anvil.server.auth;

import static dev.anvil.server.auth.AuthCalls.PASSWORD;
import static dev.anvil.server.auth.AuthCalls.email;
import static dev.anvil.server.auth.AuthCalls.refreshMobile;
import static dev.anvil.server.auth.AuthCalls.setCookie;
import static dev.anvil.server.auth.AuthCalls.signIn;
import static dev.anvil.server.auth.AuthCalls.signUp;
import static dev.anvil.server.auth.RefreshSessionsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.Mailbox;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The e-mail flows (contract §2.5, §2.6) against a real SMTP server (GreenMail): codes and links are
 * read from the delivered mail. Sign-in codes, address verification and password reset, by code and
 * by link; attempts, expiry and hashing of codes; the redirect allow-list; SMTP failures.
 */
class EmailFlowsTest {

    static Mailbox mailbox;
    static TestServer server;

    @BeforeAll
    static void start() {
        mailbox = Mailbox.start();
        Map<String, String> settings = new HashMap<>(AuthCalls.NO_LIMITS);
        settings.put("ANVIL_SMTP_ALLOW_PRIVATE_HOSTS", "true");
        settings.put("APP_NAME", "Anvil Tests");
        server = TestServer.start("email_flows", settings);
        HttpCall.Reply smtp = put("/api/auth/smtp-config", mailbox.smtpConfigBody());
        assertThat(smtp.status()).as(smtp.toString()).isEqualTo(200);
        assertThat(smtp.json().get("hasPassword").asBoolean()).isTrue();
    }

    @AfterAll
    static void stop() {
        server.close();
        mailbox.close();
    }

    @AfterEach
    void defaultConfig() {
        put("/api/auth/config", Map.of("requireEmailVerification", false, "verifyEmailMethod", "code", "resetPasswordMethod", "code",
                "allowedRedirectUrls", List.of(), "disableSignup", false));
    }

    @Test
    void smtpConfigIsProvenWithARealConnection() {
        Map<String, Object> wrong = new HashMap<>(mailbox.smtpConfigBody());
        wrong.put("password", "wrong-password");
        HttpCall.Reply reply = put("/api/auth/smtp-config", wrong);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("error").asText()).isEqualTo("EMAIL_SMTP_CONNECTION_FAILED");
        assertThat(reply.json().get("message").asText()).startsWith("SMTP connection failed: ");
        assertThat(Sql.one(server, "SELECT password_encrypted FROM email.config")).doesNotContain(Mailbox.SMTP_PASSWORD);
    }

    @Test
    void aSignInCodeCreatesAVerifiedPasswordlessUserAndWorksOnce() {
        String address = email("otp");
        HttpCall.Reply sent = server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send();
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        assertThat(sent.json().get("success").asBoolean()).isTrue();
        Mailbox.Mail mail = mailbox.awaitMail(address, 0);
        assertThat(mail.subject()).isEqualTo("Your Anvil Tests sign-in code");
        assertThat(mail.from()).contains(Mailbox.SENDER);

        HttpCall.Reply session = server.post("/api/auth/sessions?client_type=mobile")
                .json(Map.of("method", "otp", "email", address, "otp", mail.code(), "name", "Otto")).send();
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        JsonNode user = session.json().get("user");
        assertThat(user.get("emailVerified").asBoolean()).isTrue();
        assertThat(user.get("providers")).isEmpty();
        assertThat(user.get("profile").get("name").asText()).isEqualTo("Otto");
        assertThat(session.json().get("refreshToken").asText()).isNotBlank();

        assertError(server.post("/api/auth/sessions").json(Map.of("method", "otp", "email", address, "otp", mail.code())).send(),
                400, "INVALID_INPUT", "Invalid or expired verification code");
    }

    @Test
    void aCodeAllowsThreeWrongGuessesAndIsStoredHashed() {
        String address = email("guess");
        server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send();
        String code = mailbox.awaitMail(address, 0).code();
        assertThat(Sql.one(server, "SELECT otp_hash FROM auth.email_otps WHERE email = ?", address))
                .startsWith("$2a$10$").doesNotContain(code);

        String wrong = code.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 3; i++) {
            assertError(otpSignIn(address, wrong), 400, "INVALID_INPUT", "Invalid or expired verification code");
        }
        assertError(otpSignIn(address, code), 400, "INVALID_INPUT", "Too many incorrect attempts for this code; request a new one");

        server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send();
        assertThat(otpSignIn(address, mailbox.awaitMail(address, 1).code()).status()).as("a new code starts afresh").isEqualTo(200);
    }

    @Test
    void anExpiredCodeIsRefused() {
        String address = email("late");
        server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send();
        String code = mailbox.awaitMail(address, 0).code();
        assertThat(Sql.one(server, "SELECT round(extract(epoch FROM expires_at - created_at)) FROM auth.email_otps WHERE email = ?", address))
                .isEqualTo("900");
        Sql.update(server, "UPDATE auth.email_otps SET expires_at = now() - interval '1 second' WHERE email = ?", address);

        assertError(otpSignIn(address, code), 400, "INVALID_INPUT", "Invalid or expired verification code");
    }

    @Test
    void withSignUpsOffAStrangerGetsTheSameAnswerButNoCode() {
        put("/api/auth/config", Map.of("disableSignup", true));
        String stranger = email("stranger");
        HttpCall.Reply reply = server.post("/api/auth/email/send-otp").json(Map.of("email", stranger)).send();

        assertThat(reply.status()).isEqualTo(202);
        assertThat(mailbox.mailsTo(stranger)).isEmpty();
        assertError(otpSignIn(stranger, "123456"), 400, "INVALID_INPUT", "Invalid or expired verification code");
    }

    @Test
    void aCodeSentBeforeSignUpsWereTurnedOffNoLongerCreatesAnAccount() {
        String address = email("late-signup");
        server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send();
        String code = mailbox.awaitMail(address, 0).code();
        put("/api/auth/config", Map.of("disableSignup", true));

        assertError(otpSignIn(address, code), 403, "AUTH_SIGNUP_DISABLED", "User signups are disabled for this project.");
        assertThat(Sql.one(server, "SELECT count(*) FROM auth.users WHERE email = ?", address)).isEqualTo("0");
    }

    @Test
    void verificationByCodeGatesSignInUntilTheCodeIsEntered() {
        put("/api/auth/config", Map.of("requireEmailVerification", true));
        String address = email("verify");
        HttpCall.Reply signedUp = signUp(server, address, PASSWORD, null);

        assertThat(signedUp.status()).as(signedUp.toString()).isEqualTo(200);
        assertThat(signedUp.json().get("accessToken").isNull()).isTrue();
        assertThat(signedUp.json().get("requireEmailVerification").asBoolean()).isTrue();
        assertThat(signedUp.json().has("user")).isFalse();
        assertThat(setCookie(signedUp, "insforge_refresh_token")).isEmpty();
        String code = mailbox.awaitMail(address, 0).code();

        HttpCall.Reply refused = signIn(server, address, PASSWORD, null);
        assertError(refused, 403, "FORBIDDEN", "Email verification required");
        assertThat(refused.json().get("nextActions").asText()).isEqualTo("Please verify your email address before logging in");

        assertError(server.post("/api/auth/email/verify").json(Map.of("email", address, "otp", "12345")).send(), 400, "INVALID_INPUT",
                "otp: OTP code must be a 6-digit numeric code");
        HttpCall.Reply verified = server.post("/api/auth/email/verify").json(Map.of("email", address, "otp", code)).send();
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.json().get("user").get("emailVerified").asBoolean()).isTrue();
        assertThat(verified.json().get("csrfToken").asText()).isNotBlank();
        assertThat(setCookie(verified, "insforge_refresh_token")).isPresent();
        assertThat(signIn(server, address, PASSWORD, null).status()).isEqualTo(200);
    }

    @Test
    void resendingVerificationIsSilentForUnknownAndVerifiedAddresses() {
        put("/api/auth/config", Map.of("requireEmailVerification", true));
        String unknown = email("unknown");
        HttpCall.Reply reply = server.post("/api/auth/email/send-verification").json(Map.of("email", unknown)).send();
        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.json().get("message").asText())
                .isEqualTo("If your email is registered, we have sent you a verification code. Please check your inbox.");

        String address = email("resend");
        signUp(server, address, PASSWORD, null);
        mailbox.awaitMail(address, 0);
        assertThat(server.post("/api/auth/email/send-verification").json(Map.of("email", address)).send().status()).isEqualTo(202);
        String second = mailbox.awaitMail(address, 1).code();
        server.post("/api/auth/email/verify").json(Map.of("email", address, "otp", second)).send();
        server.post("/api/auth/email/send-verification").json(Map.of("email", address)).send();

        assertThat(mailbox.mailsTo(unknown)).isEmpty();
        assertThat(mailbox.mailsTo(address)).hasSize(2);
    }

    @Test
    void verificationByLinkChecksTheRedirectThenRedirectsOnce() {
        put("/api/auth/config", Map.of("requireEmailVerification", true, "verifyEmailMethod", "link"));
        assertError(signUp(server, email("link"), PASSWORD, null), 400, "INVALID_INPUT",
                "redirectTo is required when link-based email verification is enabled");
        HttpCall.Reply unlisted = server.post("/api/auth/users").bearer(server.anonKey())
                .json(Map.of("email", email("link"), "password", PASSWORD, "redirectTo", "https://evil.example.net/x")).send();
        assertError(unlisted, 400, "INVALID_INPUT", "https://evil.example.net/x is not in the allowed redirect URLs");

        put("/api/auth/config", Map.of("allowedRedirectUrls", List.of("https://app.example.com/**")));
        String address = email("link");
        HttpCall.Reply signedUp = server.post("/api/auth/users").bearer(server.anonKey())
                .json(Map.of("email", address, "password", PASSWORD, "redirectTo", "https://app.example.com/welcome?from=mail")).send();
        assertThat(signedUp.json().get("requireEmailVerification").asBoolean()).isTrue();
        String link = mailbox.awaitMail(address, 0).link();
        assertThat(link).contains("/api/auth/email/verify-link?token=").matches(".*token=[0-9a-f]{64}$");

        HttpCall.Reply clicked = follow(link);
        assertThat(clicked.status()).isEqualTo(302);
        assertThat(clicked.header("Location").orElseThrow())
                .isEqualTo("https://app.example.com/welcome?from=mail&insforge_status=success&insforge_type=verify_email");
        assertThat(Sql.one(server, "SELECT email_verified::text FROM auth.users WHERE email = ?", address)).isEqualTo("true");

        HttpCall.Reply again = follow(link);
        assertThat(again.status()).isEqualTo(302);
        assertThat(again.header("Location").orElseThrow()).contains("insforge_status=error", "insforge_type=verify_email", "insforge_error=");
        assertError(server.get("/api/auth/email/verify-link?token=" + "ab".repeat(32)).send(), 400, "INVALID_INPUT",
                "Invalid or expired verification token");
        assertError(server.get("/api/auth/email/verify-link?token=short").send(), 400, "INVALID_INPUT", "Invalid or expired verification token");
    }

    @Test
    void passwordResetByCodeSetsTheNewPasswordAndEndsEverySession() {
        String address = email("reset");
        JsonNode before = signUp(server, address, PASSWORD, "mobile").json();
        HttpCall.Reply sent = server.post("/api/auth/email/send-reset-password").json(Map.of("email", address)).send();
        assertThat(sent.status()).isEqualTo(202);
        String code = mailbox.awaitMail(address, 0).code();

        String wrong = code.equals("999999") ? "888888" : "999999";
        assertError(exchange(address, wrong), 400, "INVALID_INPUT", "Invalid or expired verification code");
        assertError(exchange(address, "12"), 400, "INVALID_INPUT", "code: Reset password code must be a 6-digit numeric code");
        HttpCall.Reply exchanged = exchange(address, code);
        assertThat(exchanged.status()).as(exchanged.toString()).isEqualTo(200);
        String token = exchanged.json().get("token").asText();
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(exchanged.json().get("expiresAt").asText()).matches("\\d{4}-.*Z");

        assertError(reset("short", token), 400, "INVALID_INPUT", "Password must contain at least 6 characters long");
        HttpCall.Reply done = reset("brand-new-pass", token);
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        assertThat(done.json().get("message").asText()).isEqualTo("Password reset successfully. Please login with your new password.");

        assertThat(signIn(server, address, PASSWORD, null).status()).isEqualTo(401);
        assertThat(signIn(server, address, "brand-new-pass", null).status()).isEqualTo(200);
        assertThat(refreshMobile(server, before.get("refreshToken").asText()).status()).as("sessions before the reset ended").isEqualTo(401);
        assertError(reset("another-pass", token), 400, "INVALID_INPUT", "Invalid or expired verification token");
        assertError(server.post("/api/auth/email/reset-password").json(Map.of("newPassword", "x", "otp", "")).send(), 400,
                "INVALID_INPUT", "otp: OTP/token is required");
    }

    @Test
    void passwordResetByLinkForwardsTheTokenToTheApp() {
        put("/api/auth/config", Map.of("resetPasswordMethod", "link", "allowedRedirectUrls", List.of("https://app.example.com/reset")));
        String address = email("reset-link");
        signUp(server, address, PASSWORD, "mobile");
        assertError(server.post("/api/auth/email/send-reset-password").json(Map.of("email", address)).send(), 400, "INVALID_INPUT",
                "redirectTo is required when link-based password reset is enabled");
        HttpCall.Reply sent = server.post("/api/auth/email/send-reset-password")
                .json(Map.of("email", address, "redirectTo", "https://app.example.com/reset/")).send();
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        String link = mailbox.awaitMail(address, 0).link();
        assertThat(link).contains("/api/auth/email/reset-password-link?token=");

        HttpCall.Reply clicked = follow(link);
        assertThat(clicked.status()).isEqualTo(302);
        String location = clicked.header("Location").orElseThrow();
        String token = link.substring(link.indexOf("token=") + 6);
        assertThat(location).isEqualTo("https://app.example.com/reset/?token=" + token + "&insforge_status=ready&insforge_type=reset_password");

        assertThat(reset("linked-new-pass", token).status()).isEqualTo(200);
        assertThat(signIn(server, address, "linked-new-pass", null).status()).isEqualTo(200);
        assertThat(follow(link).header("Location").orElseThrow()).contains("insforge_status=error", "insforge_type=reset_password");
    }

    @Test
    void mailsToOneAddressArePacedByTheSmtpInterval() {
        put("/api/auth/smtp-config", withInterval(60));
        try {
            String address = email("paced");
            assertThat(server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send().status()).isEqualTo(202);
            HttpCall.Reply again = server.post("/api/auth/email/send-otp").json(Map.of("email", address)).send();
            assertThat(again.status()).isEqualTo(429);
            assertThat(again.json().get("error").asText()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(again.json().get("message").asText()).matches("Please wait \\d+ seconds before requesting another code for this email");
            assertThat(again.header("Retry-After")).isPresent();
            assertThat(again.header("RateLimit-Remaining").orElseThrow()).isEqualTo("0");
            assertThat(server.post("/api/auth/email/send-otp").json(Map.of("email", email("other"))).send().status()).isEqualTo(202);
        } finally {
            put("/api/auth/smtp-config", withInterval(0));
        }
    }

    @Test
    void templatesAreRenderedWithEscapedValues() {
        put("/api/auth/email-templates/reset-password-code",
                Map.of("subject", "{{ app_name }} reset for {{ display_name }}", "bodyHtml", "<p>{{ display_name }}: {{ token }}</p>"));
        try {
            String address = email("escape");
            server.post("/api/auth/users").bearer(server.anonKey())
                    .json(Map.of("email", address, "password", PASSWORD, "name", "<script>x</script>")).send();
            server.post("/api/auth/email/send-reset-password").json(Map.of("email", address)).send();
            Mailbox.Mail mail = mailbox.awaitMail(address, 0);

            assertThat(mail.subject()).isEqualTo("Anvil Tests reset for <script>x</script>");
            assertThat(mail.html()).startsWith("<p>&lt;script&gt;x&lt;/script&gt;: ").doesNotContain("<script>");
        } finally {
            put("/api/auth/email-templates/reset-password-code", Map.of("subject", "Your {{ app_name }} password reset code",
                    "bodyHtml", "<p>Your password reset code is:</p><p>{{ token }}</p>"));
        }
    }

    @Test
    void smtpFailuresAreReportedAndSignUpStillCreatesTheUser() {
        put("/api/auth/config", Map.of("requireEmailVerification", true));
        Sql.update(server, "UPDATE email.config SET port = 1");
        try {
            HttpCall.Reply otp = server.post("/api/auth/email/send-otp").json(Map.of("email", email("down"))).send();
            assertThat(otp.status()).isEqualTo(500);
            assertThat(otp.json().get("error").asText()).isEqualTo("EMAIL_SMTP_SEND_FAILED");

            String address = email("down-signup");
            HttpCall.Reply signedUp = signUp(server, address, PASSWORD, null);
            assertThat(signedUp.status()).isEqualTo(500);
            assertThat(signedUp.json().get("error").asText()).isEqualTo("AUTH_VERIFICATION_EMAIL_DELIVERY_FAILED");
            assertThat(Sql.one(server, "SELECT count(*) FROM auth.users WHERE email = ?", address)).isEqualTo("1");
        } finally {
            Sql.update(server, "UPDATE email.config SET port = ?", mailbox.smtpPort());
        }
        assertError(put("/api/auth/smtp-config", Map.of("enabled", false, "port", 465)), 400, "EMAIL_PROVIDER_NOT_CONFIGURED",
                "An email provider must be configured before email verification can be required.");
    }

    @Test
    void smtpSettingsFromTheEnvironmentAreUsed() {
        Map<String, String> settings = new HashMap<>(AuthCalls.NO_LIMITS);
        settings.putAll(mailbox.serverSettings());
        try (TestServer seeded = TestServer.start("email_seeded", settings)) {
            JsonNode config = seeded.get("/api/auth/smtp-config").bearer(seeded.apiKey()).send().json();
            assertThat(config.get("enabled").asBoolean()).isTrue();
            assertThat(config.get("port").asInt()).isEqualTo(mailbox.smtpPort());
            String address = email("seeded");
            assertThat(seeded.post("/api/auth/email/send-otp").json(Map.of("email", address)).send().status()).isEqualTo(202);
            assertThat(mailbox.awaitMail(address, 0).code()).matches("\\d{6}");
        }
    }

    private static HttpCall.Reply otpSignIn(String address, String code) {
        return server.post("/api/auth/sessions").json(Map.of("method", "otp", "email", address, "otp", code)).send();
    }

    private static HttpCall.Reply exchange(String address, String code) {
        return server.post("/api/auth/email/exchange-reset-password-token").json(Map.of("email", address, "code", code)).send();
    }

    private static HttpCall.Reply reset(String newPassword, String token) {
        return server.post("/api/auth/email/reset-password").json(Map.of("newPassword", newPassword, "otp", token)).send();
    }

    /** A mailed link points at the server's public URL; the test reaches the same path on its own address. */
    private static HttpCall.Reply follow(String link) {
        URI uri = URI.create(link);
        return server.get(uri.getRawPath() + "?" + uri.getRawQuery()).send();
    }

    private static Map<String, Object> withInterval(int seconds) {
        Map<String, Object> body = new HashMap<>(mailbox.smtpConfigBody());
        body.put("minIntervalSeconds", seconds);
        return body;
    }

    private static HttpCall.Reply put(String path, Object body) {
        return server.call("PUT", path).bearer(server.apiKey()).json(body).send();
    }
}
