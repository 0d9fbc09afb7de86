package dev.anvil.server.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.anvil.server.auth.mail.EmailTemplates;
import dev.anvil.server.auth.mail.Mailer;
import dev.anvil.server.http.ApiException;

/**
 * The e-mails of account flows — verification, sign-in code, password reset — each as a code or
 * a link according to the auth config. Links point at this server ({@code /api/auth/email/…-link}),
 * which checks the token before sending the browser on to the allow-listed {@code redirectTo}.
 */
public final class AccountEmails {

    private final EmailCodes codes;
    private final Mailer mailer;
    private final Supplier<String> baseUrl;

    public AccountEmails(EmailCodes codes, Mailer mailer, Supplier<String> baseUrl) {
        this.codes = codes;
        this.mailer = mailer;
        this.baseUrl = baseUrl;
    }

    /** Which flow a redirect URL is checked for (the message names it). */
    enum LinkFlow {
        VERIFICATION("email verification"), RESET("password reset");

        private final String label;

        LinkFlow(String label) {
            this.label = label;
        }
    }

    /**
     * A link flow's {@code redirectTo}: required, and listed in {@code allowedRedirectUrls} — an empty
     * list allows nothing here, because the link would hand a secret to whatever URL it names.
     */
    static String checkRedirect(AuthConfig config, Optional<String> redirectTo, LinkFlow flow) {
        String url = redirectTo.orElseThrow(() -> ApiException.invalidInput(
                "redirectTo is required when link-based " + flow.label + " is enabled"));
        if (!RedirectAllowList.allows(config.allowedRedirectUrls(), url)) {
            throw new ApiException(400, "INVALID_INPUT", url + " is not in the allowed redirect URLs",
                    "Please add this URL to the allowed redirect URLs in the authentication configuration.");
        }
        return url;
    }

    /** Fails early (400 EMAIL_PROVIDER_NOT_CONFIGURED) when no mail can be sent. */
    void requireMail() {
        mailer.requireConfig();
    }

    void sendVerification(AuthConfig config, User user, String redirectTo) {
        if (config.verifiesByLink()) {
            String token = codes.issueLink(user.email(), EmailCodes.Purpose.VERIFY_EMAIL, redirectTo);
            mailer.sendTemplate(user.email(), user.displayName(), EmailTemplates.VERIFICATION_LINK,
                    Map.of("link", link("/api/auth/email/verify-link", token)));
        } else {
            String code = codes.issueCode(user.email(), EmailCodes.Purpose.VERIFY_EMAIL);
            mailer.sendTemplate(user.email(), user.displayName(), EmailTemplates.VERIFICATION_CODE, Map.of("token", code));
        }
    }

    void sendSignInCode(String email, String displayName) {
        String code = codes.issueCode(email, EmailCodes.Purpose.SIGN_IN);
        mailer.sendTemplate(email, displayName, EmailTemplates.SIGN_IN_CODE, Map.of("token", code));
    }

    void sendPasswordReset(AuthConfig config, User user, String redirectTo) {
        if (config.resetsByLink()) {
            String token = codes.issueLink(user.email(), EmailCodes.Purpose.RESET_PASSWORD, redirectTo);
            mailer.sendTemplate(user.email(), user.displayName(), EmailTemplates.RESET_LINK,
                    Map.of("link", link("/api/auth/email/reset-password-link", token)));
        } else {
            String code = codes.issueCode(user.email(), EmailCodes.Purpose.RESET_PASSWORD);
            mailer.sendTemplate(user.email(), user.displayName(), EmailTemplates.RESET_CODE, Map.of("token", code));
        }
    }

    private String link(String path, String token) {
        return baseUrl.get() + path + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }
}
