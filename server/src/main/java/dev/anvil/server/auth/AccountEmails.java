package dev.anvil.server.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
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

    /** The two account flows that mail a code or a link, as the auth config chooses. */
    enum LinkFlow {
        VERIFICATION("email verification", "verification", AuthConfig::verifiesByLink),
        RESET("password reset", "password reset", AuthConfig::resetsByLink);

        private final String label;
        private final String noun;
        private final Predicate<AuthConfig> byLink;

        LinkFlow(String label, String noun, Predicate<AuthConfig> byLink) {
            this.label = label;
            this.noun = noun;
            this.byLink = byLink;
        }

        boolean byLink(AuthConfig config) {
            return byLink.test(config);
        }

        /** The answer to a send request, the same whether or not the address has an account. */
        String acceptedMessage(AuthConfig config) {
            return "If your email is registered, we have sent you a " + noun + (byLink(config) ? " link" : " code")
                    + ". Please check your inbox.";
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
        sendCodeOrLink(config.verifiesByLink(), user, EmailCodes.Purpose.VERIFY_EMAIL, redirectTo,
                EmailTemplates.VERIFICATION_LINK, "/api/auth/email/verify-link", EmailTemplates.VERIFICATION_CODE);
    }

    void sendSignInCode(String email, String displayName) {
        String code = codes.issueCode(email, EmailCodes.Purpose.SIGN_IN);
        mailer.sendTemplate(email, displayName, EmailTemplates.SIGN_IN_CODE, Map.of("token", code));
    }

    void sendPasswordReset(AuthConfig config, User user, String redirectTo) {
        sendCodeOrLink(config.resetsByLink(), user, EmailCodes.Purpose.RESET_PASSWORD, redirectTo,
                EmailTemplates.RESET_LINK, "/api/auth/email/reset-password-link", EmailTemplates.RESET_CODE);
    }

    private void sendCodeOrLink(boolean byLink, User user, EmailCodes.Purpose purpose, String redirectTo,
                                String linkTemplate, String linkPath, String codeTemplate) {
        if (byLink) {
            String token = codes.issueLink(user.email(), purpose, redirectTo);
            mailer.sendTemplate(user.email(), user.displayName(), linkTemplate, Map.of("link", link(linkPath, token)));
        } else {
            String code = codes.issueCode(user.email(), purpose);
            mailer.sendTemplate(user.email(), user.displayName(), codeTemplate, Map.of("token", code));
        }
    }

    private String link(String path, String token) {
        return baseUrl.get() + path + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }
}
