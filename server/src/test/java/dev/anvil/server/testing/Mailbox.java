package dev.anvil.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.anvil.server.http.Json;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * A real SMTP server (GreenMail) in-process on a free loopback port, with an authenticated account
 * for the server to send through. Tests read the codes and links out of the delivered mail; a
 * Node suite reads them through {@link #serveHttp()}.
 */
public final class Mailbox implements AutoCloseable {

    public static final String SMTP_USER = "anvil-smtp";
    public static final String SMTP_PASSWORD = "smtp-secret";
    public static final String SENDER = "no-reply@anvil.test";

    private static final Pattern CODE = Pattern.compile("(?<![0-9#])(\\d{6})(?![0-9])");
    private static final Pattern HREF = Pattern.compile("href=\"([^\"]+)\"");

    private final GreenMail greenMail;
    private HttpServer http;

    private Mailbox(GreenMail greenMail) {
        this.greenMail = greenMail;
    }

    public static Mailbox start() {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser(SENDER, SMTP_USER, SMTP_PASSWORD));
        greenMail.start();
        return new Mailbox(greenMail);
    }

    public int smtpPort() {
        return greenMail.getSmtp().getPort();
    }

    /** Settings that make a server seed its SMTP config with this mailbox at start. */
    public Map<String, String> serverSettings() {
        return Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(smtpPort()),
                "SMTP_USERNAME", SMTP_USER, "SMTP_PASSWORD", SMTP_PASSWORD, "SMTP_SENDER_EMAIL", SENDER,
                "SMTP_SENDER_NAME", "Anvil Tests", "ANVIL_SMTP_ALLOW_PRIVATE_HOSTS", "true");
    }

    /** The body of {@code PUT /api/auth/smtp-config} for this mailbox. */
    public Map<String, Object> smtpConfigBody() {
        Map<String, Object> body = new HashMap<>();
        body.put("enabled", true);
        body.put("host", "127.0.0.1");
        body.put("port", smtpPort());
        body.put("username", SMTP_USER);
        body.put("password", SMTP_PASSWORD);
        body.put("senderEmail", SENDER);
        body.put("senderName", "Anvil Tests");
        body.put("minIntervalSeconds", 0);
        return body;
    }

    /** A delivered e-mail. */
    public record Mail(String to, String from, String subject, String html) {
        /** The first six-digit number in the body: the code. */
        public String code() {
            Matcher matcher = CODE.matcher(html);
            if (!matcher.find()) {
                throw new AssertionError("No 6-digit code in mail: " + html);
            }
            return matcher.group(1);
        }

        /** The first link in the body, HTML entities undone. */
        public String link() {
            Matcher matcher = HREF.matcher(html);
            if (!matcher.find()) {
                throw new AssertionError("No link in mail: " + html);
            }
            return matcher.group(1).replace("&amp;", "&");
        }
    }

    /** Every mail delivered to {@code to}, oldest first. */
    public List<Mail> mailsTo(String to) {
        List<Mail> mails = new ArrayList<>();
        for (MimeMessage message : greenMail.getReceivedMessages()) {
            Mail mail = mail(message);
            if (mail.to().equalsIgnoreCase(to)) {
                mails.add(mail);
            }
        }
        return mails;
    }

    /**
     * The messages in {@code address}'s inbox, whichever header named it — Cc and Bcc recipients
     * included, which {@link #mailsTo} (it reads the To header) cannot see.
     */
    public List<MimeMessage> inboxOf(String address) {
        GreenMailUser user = greenMail.getUserManager().getUserByEmail(address);
        if (user == null) {
            return List.of();
        }
        try {
            return greenMail.getManagers().getImapHostManager().getInbox(user).getMessages().stream()
                    .map(StoredMessage::getMimeMessage).toList();
        } catch (FolderException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (up to 15 s) until {@code to} has more than {@code alreadySeen} mails; returns the newest. */
    public Mail awaitMail(String to, int alreadySeen) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Mail> mails = mailsTo(to);
            if (mails.size() > alreadySeen) {
                return mails.get(mails.size() - 1);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("No new mail for " + to + " within 15 s (had " + alreadySeen + ")");
    }

    /** Serves {@code GET /messages?to=<address>} as a JSON array of {to, subject, html} for Node suites; returns the base URL. */
    public String serveHttp() {
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext("/messages", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            String to = query == null ? "" : Arrays.stream(query.split("&")).filter(p -> p.startsWith("to="))
                    .map(p -> URLDecoder.decode(p.substring(3), StandardCharsets.UTF_8)).findFirst().orElse("");
            ArrayNode list = Json.mapper().createArrayNode();
            for (Mail mail : mailsTo(to)) {
                ObjectNode item = list.addObject();
                item.put("to", mail.to());
                item.put("subject", mail.subject());
                item.put("html", mail.html());
            }
            byte[] body = Json.bytes(list);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    private static Mail mail(MimeMessage message) {
        try {
            return new Mail(message.getRecipients(Message.RecipientType.TO)[0].toString(),
                    message.getFrom()[0].toString(), message.getSubject(), String.valueOf(message.getContent()));
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop(0);
        }
        greenMail.stop();
    }
}
