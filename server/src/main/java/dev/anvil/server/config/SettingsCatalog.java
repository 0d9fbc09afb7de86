package dev.anvil.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.anvil.server.auth.AuthSettings;
import dev.anvil.server.auth.oauth.OAuthSettings;
import dev.anvil.server.auth.mail.MailSettings;
import dev.anvil.server.database.DatabaseApiSettings;
import dev.anvil.server.db.DatabaseSettings;
import dev.anvil.server.functions.FunctionSettings;
import dev.anvil.server.http.HttpSettings;
import dev.anvil.server.platform.PlatformSettings;
import dev.anvil.server.realtime.RealtimeSettings;
import dev.anvil.server.records.RecordsSettings;
import dev.anvil.server.secrets.KeySettings;
import dev.anvil.server.storage.StorageSettings;

/** Every setting the server reads, grouped by domain — the source of the README's configuration table. */
public final class SettingsCatalog {

    private SettingsCatalog() {
    }

    public static List<Setting> all() {
        List<Setting> all = new ArrayList<>();
        all.addAll(CoreSettings.ALL);
        all.addAll(DatabaseSettings.ALL);
        all.addAll(KeySettings.ALL);
        all.addAll(AuthSettings.ALL);
        all.addAll(MailSettings.ALL);
        all.addAll(OAuthSettings.ALL);
        all.addAll(HttpSettings.ALL);
        all.addAll(DatabaseApiSettings.ALL);
        all.addAll(StorageSettings.ALL);
        all.addAll(FunctionSettings.ALL);
        all.addAll(RealtimeSettings.ALL);
        all.addAll(RecordsSettings.ALL);
        all.addAll(PlatformSettings.ALL);
        return Collections.unmodifiableList(all);
    }

    /** The README's configuration table, generated so the docs cannot drift from the code. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| Setting | Default | What it does |\n|---|---|---|\n");
        for (Setting setting : all()) {
            table.append("| `").append(setting.name()).append("` | ")
                    .append(setting.defaultValue() == null ? "—" : "`" + setting.defaultValue() + "`")
                    .append(" | ").append(setting.description().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }
}
