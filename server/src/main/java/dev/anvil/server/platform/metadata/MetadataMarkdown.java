package dev.anvil.server.platform.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code GET /api/metadata?format=markdown}: the same metadata as a short document a person or a
 * language model reads at a glance — a table per slice, sizes in human units.
 */
final class MetadataMarkdown {

    private MetadataMarkdown() {
    }

    static String render(JsonNode metadata) {
        StringBuilder out = new StringBuilder();
        out.append("# Backend metadata\n\n");
        if (metadata.hasNonNull("version")) {
            out.append("Anvil ").append(metadata.get("version").asText()).append(" (InsForge-compatible API)\n\n");
        }
        auth(out, metadata.path("auth"));
        database(out, metadata.path("database"));
        storage(out, metadata.path("storage"));
        functions(out, metadata.path("functions"));
        realtime(out, metadata.path("realtime"));
        return out.toString();
    }

    private static void auth(StringBuilder out, JsonNode auth) {
        out.append("## Auth\n\n");
        out.append("- Sign-up: ").append(auth.path("disableSignup").asBoolean() ? "disabled" : "open").append('\n');
        out.append("- E-mail verification required: ").append(yesNo(auth.path("requireEmailVerification")));
        if (auth.path("requireEmailVerification").asBoolean()) {
            out.append(" (by ").append(auth.path("verifyEmailMethod").asText()).append(')');
        }
        out.append('\n');
        List<String> rules = new ArrayList<>();
        rules.add("at least " + auth.path("passwordMinLength").asInt() + " characters");
        if (auth.path("requireNumber").asBoolean()) {
            rules.add("a number");
        }
        if (auth.path("requireLowercase").asBoolean()) {
            rules.add("a lowercase letter");
        }
        if (auth.path("requireUppercase").asBoolean()) {
            rules.add("an uppercase letter");
        }
        if (auth.path("requireSpecialChar").asBoolean()) {
            rules.add("a special character");
        }
        out.append("- Passwords: ").append(String.join(", ", rules)).append('\n');
        out.append("- OAuth providers: ").append(list(auth.path("oAuthProviders"))).append('\n');
        out.append("- Allowed redirect URLs: ").append(list(auth.path("allowedRedirectUrls"))).append('\n');
        JsonNode smtp = auth.path("smtpConfig");
        out.append("- SMTP: ").append(smtp.path("enabled").asBoolean()
                ? "enabled (" + smtp.path("host").asText() + ":" + smtp.path("port").asInt() + ")" : "not configured").append("\n\n");
    }

    private static void database(StringBuilder out, JsonNode database) {
        JsonNode tables = database.path("tables");
        out.append("## Database (").append(tables.size()).append(tables.size() == 1 ? " table, " : " tables, ")
                .append(size(database.path("totalSizeInGB").asDouble())).append(")\n\n");
        if (tables.isEmpty()) {
            out.append("No tables in schema public yet.\n\n");
        } else {
            out.append("| Table | Records |\n|---|---|\n");
            tables.forEach(table -> out.append("| ").append(cell(table.path("tableName").asText())).append(" | ")
                    .append(table.path("recordCount").asLong()).append(" |\n"));
            out.append('\n');
        }
        if (database.hasNonNull("hint")) {
            out.append(database.get("hint").asText()).append("\n\n");
        }
    }

    private static void storage(StringBuilder out, JsonNode storage) {
        JsonNode buckets = storage.path("buckets");
        out.append("## Storage (").append(buckets.size()).append(buckets.size() == 1 ? " bucket, " : " buckets, ")
                .append(size(storage.path("totalSizeInGB").asDouble())).append(")\n\n");
        if (buckets.isEmpty()) {
            out.append("No buckets yet.\n\n");
            return;
        }
        out.append("| Bucket | Public | Objects | Created |\n|---|---|---|---|\n");
        buckets.forEach(bucket -> out.append("| ").append(cell(bucket.path("name").asText())).append(" | ")
                .append(yesNo(bucket.path("public"))).append(" | ").append(bucket.path("objectCount").asLong()).append(" | ")
                .append(bucket.path("createdAt").asText()).append(" |\n"));
        out.append('\n');
    }

    private static void functions(StringBuilder out, JsonNode functions) {
        out.append("## Functions (").append(functions.size()).append(")\n\n");
        if (functions.isEmpty()) {
            out.append("No functions yet.\n\n");
            return;
        }
        out.append("| Slug | Name | Status | Description |\n|---|---|---|---|\n");
        functions.forEach(function -> out.append("| ").append(cell(function.path("slug").asText())).append(" | ")
                .append(cell(function.path("name").asText())).append(" | ").append(function.path("status").asText())
                .append(" | ").append(cell(function.path("description").asText(""))).append(" |\n"));
        out.append('\n');
    }

    private static void realtime(StringBuilder out, JsonNode realtime) {
        if (realtime.isMissingNode()) {
            return;
        }
        JsonNode channels = realtime.path("channels");
        out.append("## Realtime channels (").append(channels.size()).append(")\n\n");
        if (channels.isEmpty()) {
            out.append("No channel patterns registered: clients can subscribe only to channels matching a registered pattern.\n\n");
        } else {
            out.append("| Pattern | Enabled | Description |\n|---|---|---|\n");
            channels.forEach(channel -> out.append("| ").append(cell(channel.path("pattern").asText())).append(" | ")
                    .append(yesNo(channel.path("enabled"))).append(" | ").append(cell(channel.path("description").asText("")))
                    .append(" |\n"));
            out.append('\n');
        }
        JsonNode permissions = realtime.path("permissions");
        out.append("RLS policies: ").append(permissions.path("subscribe").path("policies").size()).append(" on subscribe (realtime.channels), ")
                .append(permissions.path("publish").path("policies").size()).append(" on publish (realtime.messages).\n");
    }

    private static String yesNo(JsonNode value) {
        return value.asBoolean() ? "yes" : "no";
    }

    private static String list(JsonNode values) {
        if (!values.isArray() || values.isEmpty()) {
            return "none";
        }
        List<String> items = new ArrayList<>();
        values.forEach(value -> items.add(value.asText()));
        return String.join(", ", items);
    }

    /** Sizes from the GB figures the JSON carries, in the unit that reads best. */
    private static String size(double gigabytes) {
        double bytes = gigabytes * 1024 * 1024 * 1024;
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.0f KB", bytes / 1024);
        }
        if (bytes < 1024d * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GB", gigabytes);
    }

    /** Table cells cannot hold a pipe or a line break. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
