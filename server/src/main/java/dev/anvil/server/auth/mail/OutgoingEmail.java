package dev.anvil.server.auth.mail;

import java.util.List;
import java.util.Optional;

/**
 * One e-mail to send: recipients (already validated addresses), subject and HTML body, and the
 * optional sender display name and Reply-To address. The sender address is the SMTP config's.
 */
public record OutgoingEmail(List<String> to, List<String> cc, List<String> bcc, String subject, String html,
                            Optional<String> fromName, Optional<String> replyTo) {

    public OutgoingEmail {
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        bcc = List.copyOf(bcc);
    }

    /** One recipient, the configured sender as it is, no Reply-To: what auth e-mails are. */
    static OutgoingEmail to(String address, String subject, String html) {
        return new OutgoingEmail(List.of(address), List.of(), List.of(), subject, html, Optional.empty(), Optional.empty());
    }
}
