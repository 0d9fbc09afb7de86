package dev.anvil.server.auth;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.mail.EmailTemplates;
import dev.anvil.server.auth.mail.MailSettings;
import dev.anvil.server.auth.mail.Mailer;
import dev.anvil.server.auth.mail.SendEmailService;
import dev.anvil.server.auth.mail.SmtpConfigStore;
import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.RateLimit;
import dev.anvil.server.secrets.SecretCipher;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.http.HttpRouting;

/**
 * Builds the auth domain from its parts and mounts its routes: {@code /api/auth/**} and the JWKS.
 * Other domains (OAuth) reach the shared pieces — {@link #sessions()}, {@link #users()},
 * {@link #configs()} — through it.
 */
public final class AuthDomain {

    private final UserStore users;
    private final AuthConfigStore configs;
    private final SmtpConfigStore smtp;
    private final SessionIssuer sessions;
    private final AuthConfigService configService;
    private final SessionService sessionService;
    private final ProfileService profileService;
    private final EmailAuthService emailService;
    private final AdminSessionService adminService;
    private final UserAdminService userAdminService;
    private final JwksService jwksService;
    private final SendEmailService sendEmailService;

    private AuthDomain(AnvilConfig config, DbClient db, SecretCipher cipher, Credentials credentials, Clock clock,
                       Supplier<String> baseUrl) {
        AccessTokens tokens = credentials.accessTokens();
        RootAdmin admin = RootAdmin.fromConfig(config);
        users = new UserStore(db);
        configs = new AuthConfigStore(db, clock);
        sessions = new SessionIssuer(tokens, db, users, admin, config.getSeconds(AuthSettings.REFRESH_TOKEN_TTL),
                config.getSeconds(AuthSettings.REFRESH_REUSE_GRACE), clock);
        smtp = new SmtpConfigStore(db, cipher, config.getBoolean(MailSettings.SMTP_ALLOW_PRIVATE_HOSTS), clock);
        smtp.seed(config);
        EmailTemplates templates = new EmailTemplates(db);
        Mailer mailer = new Mailer(smtp, templates, config.get(MailSettings.APP_NAME));
        EmailCodes codes = new EmailCodes(db, clock);
        AccountEmails emails = new AccountEmails(codes, mailer, baseUrl);
        AuthRateLimits limits = new AuthRateLimits(config, () -> smtp.get().minIntervalSeconds(), clock);
        Passwords passwords = new Passwords();

        configService = new AuthConfigService(credentials, configs, smtp, templates, mailer);
        sessionService = new SessionService(credentials, users, passwords, configs, sessions, codes, emails, limits);
        profileService = new ProfileService(credentials, users);
        emailService = new EmailAuthService(users, configs, sessions, codes, emails, limits);
        adminService = new AdminSessionService(credentials, admin, sessions, limits);
        userAdminService = new UserAdminService(credentials, users);
        jwksService = new JwksService(tokens);
        sendEmailService = new SendEmailService(credentials, mailer, new RateLimit("email-send-raw",
                RateLimit.Rule.from(config, MailSettings.RATE_LIMIT_SEND_RAW), "Too many emails sent; try again later", clock));
    }

    /**
     * @param baseUrl the public base URL links in e-mails point to (known only once the server listens)
     */
    public static AuthDomain create(AnvilConfig config, DbClient db, SecretCipher cipher, Credentials credentials,
                                    Clock clock, Supplier<String> baseUrl) {
        return new AuthDomain(config, db, cipher, credentials, clock, baseUrl);
    }

    public void register(HttpRouting.Builder routing) {
        routing.register(jwksService);
        routing.register("/api/auth", configService, sessionService, profileService, emailService, adminService,
                userAdminService);
        routing.register("/api/email", sendEmailService);
    }

    /** Starts, refreshes and ends sessions; OAuth exchange and ID-token sign-in answer through it. */
    public SessionIssuer sessions() {
        return sessions;
    }

    public UserStore users() {
        return users;
    }

    public AuthConfigStore configs() {
        return configs;
    }

    /**
     * The auth slice of {@code GET /api/metadata} (shared-schemas' {@code authConfigAdminResponseSchema}):
     * the public config plus {@code allowedRedirectUrls} and {@code smtpConfig} — which never carries
     * the password, only {@code hasPassword}.
     */
    public ObjectNode metadata() {
        ObjectNode body = configs.publicConfig();
        ArrayNode urls = body.putArray("allowedRedirectUrls");
        configs.get().allowedRedirectUrls().forEach(urls::add);
        ObjectNode smtpConfig = smtp.get().toJson();
        smtpConfig.remove(List.of("id", "createdAt", "updatedAt"));
        body.set("smtpConfig", smtpConfig);
        return body;
    }
}
