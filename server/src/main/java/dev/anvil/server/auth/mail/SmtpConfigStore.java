package dev.anvil.server.auth.mail;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.anvil.server.config.AnvilConfig;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.secrets.SecretCipher;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * Reads and writes the SMTP configuration ({@code email.config}), the password encrypted with the
 * instance's {@link SecretCipher}. Saving an enabled configuration first proves it works (a real
 * SMTP connection), and — unless the operator allows it — refuses private and loopback hosts and
 * ports other than 25/465/587/2525, so the admin API cannot be used to probe the internal network.
 */
public final class SmtpConfigStore {

    static final Set<Integer> PUBLIC_PORTS = Set.of(25, 465, 587, 2525);
    private static final Pattern SENDER = Pattern.compile("^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$");
    private static final String COLUMNS = "id::text AS id, enabled, coalesce(host, '') AS host, coalesce(port, 465) AS port, "
            + "coalesce(username, '') AS username, password_encrypted, coalesce(sender_email, '') AS sender_email, "
            + "coalesce(sender_name, '') AS sender_name, min_interval_seconds, created_at, updated_at";

    private final DbClient db;
    private final SecretCipher cipher;
    private final boolean allowPrivateHosts;
    private final Clock clock;

    public SmtpConfigStore(DbClient db, SecretCipher cipher, boolean allowPrivateHosts, Clock clock) {
        this.db = db;
        this.cipher = cipher;
        this.allowPrivateHosts = allowPrivateHosts;
        this.clock = clock;
    }

    public SmtpConfig get() {
        return db.execute().get("SELECT " + COLUMNS + " FROM email.config LIMIT 1").map(SmtpConfigStore::config)
                .orElseGet(() -> SmtpConfig.empty(clock.instant()));
    }

    /** The decrypted password, if one is stored. */
    Optional<String> password(SmtpConfig config) {
        return config.hasPassword() ? Optional.of(cipher.decrypt(config.passwordEncrypted())) : Optional.empty();
    }

    /** Writes the SMTP settings from the environment ({@code SMTP_HOST} …), which win over the stored ones. */
    public void seed(AnvilConfig config) {
        Optional<String> host = config.find(MailSettings.SMTP_HOST);
        if (host.isEmpty()) {
            return;
        }
        String encrypted = config.find(MailSettings.SMTP_PASSWORD).map(cipher::encrypt).orElse(null);
        write(true, host.get(), config.getInt(MailSettings.SMTP_PORT), config.find(MailSettings.SMTP_USERNAME).orElse(""),
                encrypted, config.find(MailSettings.SMTP_SENDER_EMAIL).orElse(""), config.get(MailSettings.SMTP_SENDER_NAME),
                null);
    }

    /**
     * {@code PUT /api/auth/smtp-config}: validates, checks the connection of an enabled configuration
     * with {@code mailer}, then stores it.
     *
     * @param verificationRequired whether auth requires e-mail verification (SMTP may then not be disabled)
     */
    public SmtpConfig update(JsonFields body, boolean verificationRequired, Mailer mailer) {
        boolean enabled = body.bool("enabled").orElseThrow(() -> ApiException.invalidInput("enabled: Required"));
        String host = body.string("host").orElse("").trim();
        int port = port(body);
        String username = body.string("username").orElse("");
        Optional<String> password = body.string("password");
        if (password.isPresent() && password.get().isEmpty()) {
            throw ApiException.invalidInput("password: SMTP password is required");
        }
        String senderEmail = body.string("senderEmail").orElse("");
        String senderName = body.string("senderName").orElse("");
        long interval = body.integer("minIntervalSeconds").orElse(60L);
        if (interval < 0 || interval > Integer.MAX_VALUE) {
            throw ApiException.invalidInput("minIntervalSeconds: Number must be greater than or equal to 0");
        }
        if (enabled) {
            List<String> issues = new ArrayList<>();
            if (host.isEmpty()) {
                issues.add("host: SMTP host is required");
            }
            if (username.isEmpty()) {
                issues.add("username: SMTP username is required");
            }
            if (!SENDER.matcher(senderEmail).matches()) {
                issues.add("senderEmail: Invalid sender email");
            }
            if (senderName.isEmpty()) {
                issues.add("senderName: Sender name is required");
            }
            if (!issues.isEmpty()) {
                throw ApiException.invalidInput(String.join(", ", issues));
            }
        } else if (verificationRequired) {
            throw new ApiException(400, "EMAIL_PROVIDER_NOT_CONFIGURED",
                    "An email provider must be configured before email verification can be required.",
                    "Turn off requireEmailVerification (PUT /api/auth/config) before disabling SMTP.");
        }
        SmtpConfig current = get();
        String encrypted = password.map(cipher::encrypt).orElse(current.passwordEncrypted());
        if (enabled) {
            checkHost(host);
            String effectivePassword = password.orElseGet(() -> password(current).orElse(null));
            if (effectivePassword == null) {
                throw ApiException.invalidInput("SMTP password is required when enabling SMTP with authentication");
            }
            mailer.checkConnection(host, port, username, effectivePassword);
        }
        write(enabled, host, port, username, encrypted, senderEmail, senderName, (int) interval);
        return get();
    }

    private int port(JsonFields body) {
        long port = body.integer("port").orElseThrow(() -> ApiException.invalidInput(portMessage()));
        if (allowPrivateHosts ? port < 1 || port > 65535 : !PUBLIC_PORTS.contains((int) port)) {
            throw ApiException.invalidInput(portMessage());
        }
        return (int) port;
    }

    private String portMessage() {
        return allowPrivateHosts ? "port: Port must be between 1 and 65535" : "port: Port must be one of: 25, 465, 587, 2525";
    }

    private void checkHost(String host) {
        if (allowPrivateHosts) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return; // the connection check reports an unknown host
        }
        for (InetAddress address : addresses) {
            if (isPrivate(address)) {
                throw ApiException.invalidInput("SMTP host resolves to a private or loopback address, which is not allowed");
            }
        }
    }

    static boolean isPrivate(InetAddress address) {
        byte[] raw = address.getAddress();
        boolean carrierGradeNat = raw.length == 4 && (raw[0] & 0xff) == 100 && (raw[1] & 0xc0) == 64;
        boolean uniqueLocalV6 = raw.length == 16 && (raw[0] & 0xfe) == 0xfc;
        return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || carrierGradeNat || uniqueLocalV6;
    }

    private void write(boolean enabled, String host, int port, String username, String passwordEncrypted,
                       String senderEmail, String senderName, Integer minIntervalSeconds) {
        db.execute().dml("INSERT INTO email.config (singleton, enabled, host, port, username, password_encrypted, sender_email, "
                        + "sender_name, min_interval_seconds) VALUES (true, ?, ?, ?, ?, CAST(? AS text), ?, ?, coalesce(CAST(? AS integer), 60)) "
                        + "ON CONFLICT (singleton) DO UPDATE SET enabled = EXCLUDED.enabled, host = EXCLUDED.host, port = EXCLUDED.port, "
                        + "username = EXCLUDED.username, password_encrypted = EXCLUDED.password_encrypted, "
                        + "sender_email = EXCLUDED.sender_email, sender_name = EXCLUDED.sender_name, "
                        + "min_interval_seconds = coalesce(CAST(? AS integer), email.config.min_interval_seconds)",
                enabled, host, port, username, passwordEncrypted, senderEmail, senderName, minIntervalSeconds, minIntervalSeconds);
    }

    private static SmtpConfig config(DbRow row) {
        return new SmtpConfig(row.column("id").get(String.class), row.column("enabled").get(Boolean.class),
                row.column("host").get(String.class), row.column("port").get(Integer.class),
                row.column("username").get(String.class), row.column("password_encrypted").get(String.class),
                row.column("sender_email").get(String.class), row.column("sender_name").get(String.class),
                row.column("min_interval_seconds").get(Integer.class),
                row.column("created_at").get(Timestamp.class).toInstant(),
                row.column("updated_at").get(Timestamp.class).toInstant());
    }
}
