package dev.anvil.server.auth.mail;

import java.util.List;

import dev.anvil.server.config.Setting;

/**
 * SMTP, for the codes and links auth e-mails. The {@code SMTP_*} settings seed the SMTP config
 * ({@code email.config}) at every start when {@code SMTP_HOST} is set; otherwise admins configure
 * it with {@code PUT /api/auth/smtp-config}.
 */
public final class MailSettings {

    public static final Setting SMTP_HOST = Setting.optional("SMTP_HOST",
            "SMTP server for auth e-mails; when set, the SMTP config is (re)written from the SMTP_* settings at start");
    public static final Setting SMTP_PORT = Setting.of("SMTP_PORT", "587", "SMTP port (465 = implicit TLS, others use STARTTLS when offered)");
    public static final Setting SMTP_USERNAME = Setting.optional("SMTP_USERNAME", "SMTP user name (unset: no authentication)");
    public static final Setting SMTP_PASSWORD = Setting.optional("SMTP_PASSWORD", "SMTP password (stored encrypted)");
    public static final Setting SMTP_SENDER_EMAIL = Setting.optional("SMTP_SENDER_EMAIL", "From address of auth e-mails");
    public static final Setting SMTP_SENDER_NAME = Setting.of("SMTP_SENDER_NAME", "Anvil", "From name of auth e-mails");
    public static final Setting SMTP_ALLOW_PRIVATE_HOSTS = Setting.of("ANVIL_SMTP_ALLOW_PRIVATE_HOSTS", "false",
            "Let admins point SMTP at private or loopback addresses and any port (a local mail catcher); "
                    + "off by default because the SMTP test connection could otherwise probe the internal network");
    public static final Setting APP_NAME = Setting.of("APP_NAME", "Anvil", "The app name e-mail templates show as {{ app_name }}");

    public static final Setting RATE_LIMIT_SEND_RAW = Setting.of("ANVIL_RATE_LIMIT_SEND_RAW", "100/3600",
            "E-mails sent with POST /api/email/send-raw per sender (the signed-in user; the client IP for admin callers) per window (max/windowSeconds; off disables)");

    public static final List<Setting> ALL = List.of(SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_SENDER_EMAIL,
            SMTP_SENDER_NAME, SMTP_ALLOW_PRIVATE_HOSTS, APP_NAME, RATE_LIMIT_SEND_RAW);

    private MailSettings() {
    }
}
