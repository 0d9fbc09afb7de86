package dev.anvil.server.auth.mail;

import java.io.UnsupportedEncodingException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.anvil.server.http.ApiException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Sends auth e-mails over SMTP (Jakarta Mail, Angus implementation) with the stored configuration.
 * Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS when the server offers it.
 */
public final class Mailer {

    private static final System.Logger LOG = System.getLogger(Mailer.class.getName());
    private static final String TIMEOUT_MS = "10000";

    private final SmtpConfigStore configs;
    private final EmailTemplates templates;
    private final String appName;

    public Mailer(SmtpConfigStore configs, EmailTemplates templates, String appName) {
        this.configs = configs;
        this.templates = templates;
        this.appName = appName;
    }

    /** Whether e-mail can be sent at all (SMTP enabled and pointing somewhere). */
    public boolean available() {
        return configs.get().usable();
    }

    /**
     * Sends the stored template {@code type} to {@code to}; {@code values} fill {@code {{ token }}},
     * {@code {{ link }}}, and the standard {@code email}, {@code display_name}, {@code app_name}.
     */
    public void sendTemplate(String to, String displayName, String type, Map<String, String> values) {
        SmtpConfig config = requireConfig();
        EmailTemplates.Template template = templates.get(type).orElseThrow(() ->
                new ApiException(404, "EMAIL_TEMPLATE_NOT_FOUND", "Email template not found: " + type));
        Map<String, String> all = new HashMap<>(values);
        all.put("email", to);
        all.put("display_name", displayName);
        all.put("app_name", appName);
        EmailTemplates.Rendered rendered = EmailTemplates.render(template, all);
        send(config, OutgoingEmail.to(to, rendered.subject(), rendered.html()));
    }

    /** Sends an e-mail a caller composed ({@code POST /api/email/send-raw}) from the configured sender address. */
    public void send(OutgoingEmail email) {
        send(requireConfig(), email);
    }

    /** 400 {@code EMAIL_PROVIDER_NOT_CONFIGURED} unless SMTP is set up. */
    public SmtpConfig requireConfig() {
        SmtpConfig config = configs.get();
        if (!config.usable()) {
            throw new ApiException(400, "EMAIL_PROVIDER_NOT_CONFIGURED", "SMTP is not configured or not enabled",
                    "Configure SMTP with PUT /api/auth/smtp-config (or the SMTP_* settings).");
        }
        return config;
    }

    private void send(SmtpConfig config, OutgoingEmail email) {
        try {
            Session session = session(config.host(), config.port(), !config.username().isEmpty());
            MimeMessage message = new MimeMessage(session);
            // The address is always the configured sender's (the SMTP account may send only as it);
            // a caller may choose the display name.
            message.setFrom(new InternetAddress(config.senderEmail(), email.fromName().orElse(config.senderName()),
                    StandardCharsets.UTF_8.name()));
            message.setRecipients(Message.RecipientType.TO, addresses(email.to()));
            message.setRecipients(Message.RecipientType.CC, addresses(email.cc()));
            message.setRecipients(Message.RecipientType.BCC, addresses(email.bcc()));
            if (email.replyTo().isPresent()) {
                message.setReplyTo(addresses(List.of(email.replyTo().get())));
            }
            message.setSubject(email.subject(), StandardCharsets.UTF_8.name());
            message.setContent(email.html(), "text/html; charset=UTF-8");
            String password = configs.password(config).orElse(null);
            if (config.username().isEmpty()) {
                Transport.send(message);
            } else {
                Transport.send(message, config.username(), password);
            }
        } catch (MessagingException | UnsupportedEncodingException e) {
            LOG.log(Level.WARNING, "Sending e-mail via " + config.host() + ":" + config.port() + " failed: " + e.getMessage());
            throw new ApiException(500, "EMAIL_SMTP_SEND_FAILED", "Failed to send email via SMTP: " + e.getMessage());
        }
    }

    private static InternetAddress[] addresses(List<String> emails) throws AddressException {
        InternetAddress[] addresses = new InternetAddress[emails.size()];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = new InternetAddress(emails.get(i), true);
        }
        return addresses;
    }

    /** Opens and closes an authenticated SMTP connection; 400 {@code EMAIL_SMTP_CONNECTION_FAILED} with the reason otherwise. */
    void checkConnection(String host, int port, String username, String password) {
        try (Transport transport = session(host, port, !username.isEmpty()).getTransport("smtp")) {
            transport.connect(host, port, username, password);
        } catch (MessagingException e) {
            throw new ApiException(400, "EMAIL_SMTP_CONNECTION_FAILED", "SMTP connection failed: " + e.getMessage());
        }
    }

    private static Session session(String host, int port, boolean authenticate) {
        Properties properties = new Properties();
        properties.put("mail.transport.protocol", "smtp");
        properties.put("mail.smtp.host", host);
        properties.put("mail.smtp.port", Integer.toString(port));
        properties.put("mail.smtp.auth", Boolean.toString(authenticate));
        properties.put("mail.smtp.connectiontimeout", TIMEOUT_MS);
        properties.put("mail.smtp.timeout", TIMEOUT_MS);
        properties.put("mail.smtp.writetimeout", TIMEOUT_MS);
        if (port == 465) {
            properties.put("mail.smtp.ssl.enable", "true");
            properties.put("mail.smtp.ssl.checkserveridentity", "true");
        } else {
            properties.put("mail.smtp.starttls.enable", "true");
        }
        return Session.getInstance(properties);
    }
}
