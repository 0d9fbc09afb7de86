package dev.anvil.server.auth;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.RequestBody;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The e-mail flows under {@code /api/auth/email} (contract §2.5): sign-in codes, address
 * verification and password reset, by code or by link. Requests that send mail answer 202 with
 * the same words whether or not the address has an account, so they cannot be used to find out.
 */
final class EmailAuthService implements HttpService {

    private static final String INVALID_LINK = "Invalid or expired verification token";

    private final UserStore users;
    private final AuthConfigStore configs;
    private final SessionIssuer sessions;
    private final EmailCodes codes;
    private final AccountEmails emails;
    private final AuthRateLimits limits;

    EmailAuthService(UserStore users, AuthConfigStore configs, SessionIssuer sessions, EmailCodes codes,
                     AccountEmails emails, AuthRateLimits limits) {
        this.users = users;
        this.configs = configs;
        this.sessions = sessions;
        this.codes = codes;
        this.emails = emails;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/email/send-otp", this::sendSignInCode)
                .post("/email/send-verification", this::sendVerification)
                .post("/email/verify", this::verify)
                .get("/email/verify-link", this::verifyLink)
                .post("/email/send-reset-password", this::sendReset)
                .post("/email/exchange-reset-password-token", this::exchangeResetCode)
                .get("/email/reset-password-link", this::resetLink)
                .post("/email/reset-password", this::resetPassword);
    }

    private void sendSignInCode(ServerRequest req, ServerResponse res) {
        limits.emailSend.consume(req, res);
        String email = AuthInput.email(RequestBody.object(req), "email");
        readyToMail(res, email);
        Optional<User> user = users.byEmail(email);
        // A new address gets a code too (the code creates the account) — unless sign-ups are off.
        if (user.isPresent() || !configs.get().disableSignup()) {
            emails.sendSignInCode(email, user.map(User::displayName).orElse("User"));
        }
        accepted(res, "If the email is valid, we have sent you a sign-in code. Please check your inbox.");
    }

    private void sendVerification(ServerRequest req, ServerResponse res) {
        sendAccountMail(req, res, AccountEmails.LinkFlow.VERIFICATION, user -> !user.emailVerified(), emails::sendVerification);
    }

    /** A verification code proves the address and signs the user in, like a sign-in. */
    private void verify(ServerRequest req, ServerResponse res) {
        JsonFields body = RequestBody.object(req);
        String email = AuthInput.email(body, "email");
        String code = AuthInput.sixDigitCode(body, "otp", "OTP code");
        limits.codeCheck(req, res, () -> codes.consumeCode(email, EmailCodes.Purpose.VERIFY_EMAIL, code));
        User user = users.byEmail(email).orElseThrow(() -> ApiException.invalidInput("Invalid or expired verification code"));
        users.markVerified(user.id());
        Json.send(res, sessions.signIn(req, res, users.byId(user.id()).orElseThrow()));
    }

    /** The mailed verification link: marks the address verified, then sends the browser to the app (no session). */
    private void verifyLink(ServerRequest req, ServerResponse res) {
        String token = req.query().first("token").orElse("");
        limits.verify.check(req, res);
        EmailCodes.Link link = knownLink(req, EmailCodes.Purpose.VERIFY_EMAIL, token);
        if (!link.usable() || codes.consumeLink(EmailCodes.Purpose.VERIFY_EMAIL, token).isEmpty()) {
            redirect(res, link.redirectTo(), outcome("error", "verify_email", INVALID_LINK));
            return;
        }
        users.byEmail(link.email()).ifPresent(user -> users.markVerified(user.id()));
        redirect(res, link.redirectTo(), outcome("success", "verify_email", null));
    }

    private void sendReset(ServerRequest req, ServerResponse res) {
        sendAccountMail(req, res, AccountEmails.LinkFlow.RESET, user -> true, emails::sendPasswordReset);
    }

    /** How one account flow mails a user its code or link. */
    @FunctionalInterface
    private interface AccountMail {
        void send(AuthConfig config, User user, String redirectTo);
    }

    /**
     * Send-verification and send-reset-password: limits, the redirect check of the link method, the
     * mail when the address has a qualifying account, and the same 202 either way.
     */
    private void sendAccountMail(ServerRequest req, ServerResponse res, AccountEmails.LinkFlow flow, Predicate<User> qualifies,
                                 AccountMail mail) {
        limits.emailSend.consume(req, res);
        JsonFields body = RequestBody.object(req);
        String email = AuthInput.email(body, "email");
        Optional<String> redirectTo = AuthInput.url(body, "redirectTo");
        AuthConfig config = configs.get();
        String redirect = flow.byLink(config) ? AccountEmails.checkRedirect(config, redirectTo, flow) : null;
        readyToMail(res, email);
        users.byEmail(email).filter(qualifies).ifPresent(user -> mail.send(config, user, redirect));
        accepted(res, flow.acceptedMessage(config));
    }

    private void exchangeResetCode(ServerRequest req, ServerResponse res) {
        JsonFields body = RequestBody.object(req);
        String email = AuthInput.email(body, "email");
        String code = AuthInput.sixDigitCode(body, "code", "Reset password code");
        EmailCodes.ResetToken reset = limits.codeCheck(req, res, () -> codes.exchangeResetCode(email, code));
        ObjectNode reply = Json.object();
        reply.put("token", reset.token());
        reply.put("expiresAt", User.iso(reset.expiresAt()));
        Json.send(res, reply);
    }

    /** The mailed reset link: forwards the (still unused) token to the app's reset page. */
    private void resetLink(ServerRequest req, ServerResponse res) {
        String token = req.query().first("token").orElse("");
        limits.verify.check(req, res);
        EmailCodes.Link link = knownLink(req, EmailCodes.Purpose.RESET_PASSWORD, token);
        if (!link.usable()) {
            redirect(res, link.redirectTo(), outcome("error", "reset_password", INVALID_LINK));
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("token", token);
        params.putAll(outcome("ready", "reset_password", null));
        redirect(res, link.redirectTo(), params);
    }

    /** Sets a new password with a reset token (from the link or from a code exchange) and ends every session. */
    private void resetPassword(ServerRequest req, ServerResponse res) {
        JsonFields body = RequestBody.object(req);
        String newPassword = AuthInput.password(body, "newPassword");
        String token = body.requiredString("otp");
        if (token.isEmpty()) {
            throw ApiException.invalidInput("otp: OTP/token is required");
        }
        // The password is checked first, so a rejected password does not use up the token.
        Passwords.checkLength(newPassword);
        configs.get().passwordProblem(newPassword).ifPresent(problem -> {
            throw ApiException.invalidInput(problem);
        });
        User user = limits.codeCheck(req, res, () -> codes.consumeLink(EmailCodes.Purpose.RESET_PASSWORD, token)
                .flatMap(link -> users.byEmail(link.email()))
                .orElseThrow(() -> ApiException.invalidInput(INVALID_LINK)));
        users.setPassword(user.id(), Passwords.hash(newPassword));
        sessions.endAllSessions(user.id());
        ObjectNode reply = Json.object();
        reply.put("message", "Password reset successfully. Please login with your new password.");
        Json.send(res, reply);
    }

    /** No mail without SMTP (400), and each address waits its interval between mails (429). */
    private void readyToMail(ServerResponse res, String email) {
        emails.requireMail();
        limits.emailCooldown.consume(res, email);
    }

    /** A link token's entry; without one there is nowhere to send the browser, so the error is JSON. */
    private EmailCodes.Link knownLink(ServerRequest req, EmailCodes.Purpose purpose, String token) {
        Optional<EmailCodes.Link> link = AuthInput.isLinkToken(token) ? codes.findLink(purpose, token) : Optional.empty();
        if (link.isEmpty() || link.get().redirectTo() == null) {
            limits.verify.recordFailure(req);
            throw ApiException.invalidInput(INVALID_LINK);
        }
        return link.get();
    }

    private static Map<String, String> outcome(String status, String type, String error) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("insforge_status", status);
        params.put("insforge_type", type);
        if (error != null) {
            params.put("insforge_error", error);
        }
        return params;
    }

    private static void redirect(ServerResponse res, String target, Map<String, String> params) {
        res.status(Status.FOUND_302);
        res.header(HeaderNames.LOCATION, withQuery(target, params));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send();
    }

    /** {@code target} with {@code params} added to its query, keeping what it had and its fragment. */
    static String withQuery(String target, Map<String, String> params) {
        URI uri = URI.create(target);
        StringBuilder query = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
        params.forEach((key, value) -> {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        String base = target;
        int cut = indexOfAny(target, '?', '#');
        if (cut >= 0) {
            base = target.substring(0, cut);
        }
        return base + "?" + query + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
    }

    private static int indexOfAny(String text, char a, char b) {
        int first = text.indexOf(a);
        int second = text.indexOf(b);
        return first < 0 ? second : second < 0 ? first : Math.min(first, second);
    }

    private static void accepted(ServerResponse res, String message) {
        ObjectNode reply = Json.object();
        reply.put("success", true);
        reply.put("message", message);
        Json.send(res, 202, reply);
    }
}
