package dev.anvil.server.auth.mail;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;

/**
 * The auth e-mail templates ({@code email.templates}): a subject and an HTML body per type, with
 * {@code {{ name }}} placeholders. Values are HTML-escaped in the body, and a {@code link} that is
 * not http(s) is replaced by {@code #}, so a template can never be turned into script injection.
 */
public final class EmailTemplates {

    public static final String VERIFICATION_CODE = "email-verification-code";
    public static final String VERIFICATION_LINK = "email-verification-link";
    public static final String SIGN_IN_CODE = "request-otp";
    public static final String RESET_CODE = "reset-password-code";
    public static final String RESET_LINK = "reset-password-link";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-zA-Z_]+)\\s*}}");
    private static final String COLUMNS = "id::text AS id, template_type, subject, body_html, created_at, updated_at";

    private final DbClient db;

    public EmailTemplates(DbClient db) {
        this.db = db;
    }

    /** One template as stored. */
    public record Template(String id, String type, String subject, String bodyHtml, Instant createdAt, Instant updatedAt) {
        public ObjectNode toJson() {
            ObjectNode body = Json.object();
            body.put("id", id);
            body.put("templateType", type);
            body.put("subject", subject);
            body.put("bodyHtml", bodyHtml);
            body.put("createdAt", createdAt.truncatedTo(ChronoUnit.MILLIS).toString());
            body.put("updatedAt", updatedAt.truncatedTo(ChronoUnit.MILLIS).toString());
            return body;
        }
    }

    /** A template with its placeholders filled in. */
    public record Rendered(String subject, String html) {
    }

    public List<Template> list() {
        try (var rows = db.execute().query("SELECT " + COLUMNS + " FROM email.templates ORDER BY template_type")) {
            return rows.map(EmailTemplates::template).toList();
        }
    }

    public Optional<Template> get(String type) {
        return db.execute().get("SELECT " + COLUMNS + " FROM email.templates WHERE template_type = ?", type)
                .map(EmailTemplates::template);
    }

    public Optional<Template> update(String type, String subject, String bodyHtml) {
        return db.execute().get("UPDATE email.templates SET subject = ?, body_html = ? WHERE template_type = ? "
                + "RETURNING " + COLUMNS, subject, bodyHtml, type).map(EmailTemplates::template);
    }

    /** Fills placeholders: HTML-escaped in the body, plain (line breaks removed) in the subject. */
    public static Rendered render(Template template, Map<String, String> values) {
        return new Rendered(fill(template.subject(), values, false), fill(template.bodyHtml(), values, true));
    }

    private static String fill(String text, Map<String, String> values, boolean html) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String key = matcher.group(1);
            String value = values.get(key);
            if (value == null) {
                matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group()));
                continue;
            }
            if (key.equals("link") && !value.regionMatches(true, 0, "http://", 0, 7)
                    && !value.regionMatches(true, 0, "https://", 0, 8)) {
                value = "#";
            }
            String safe = html ? escapeHtml(value) : value.replaceAll("[\\r\\n]+", " ");
            matcher.appendReplacement(out, Matcher.quoteReplacement(safe));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    static String escapeHtml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static Template template(DbRow row) {
        return new Template(row.column("id").get(String.class), row.column("template_type").get(String.class),
                row.column("subject").get(String.class), row.column("body_html").get(String.class),
                row.column("created_at").get(Timestamp.class).toInstant(),
                row.column("updated_at").get(Timestamp.class).toInstant());
    }
}
