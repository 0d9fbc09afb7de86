package dev.anvil.server.config;

/**
 * One configuration setting: its name (an environment variable, or a key of the same name in
 * {@code application.yaml}), its default, and what it does. Each domain declares its own settings
 * next to the code that reads them; {@link SettingsCatalog} lists them all for the README.
 *
 * @param name         InsForge's environment name, or an {@code ANVIL_}-prefixed one for Anvil-only settings
 * @param defaultValue used when neither the environment nor application.yaml sets it; null = unset
 * @param description  one line for the README's configuration table
 */
public record Setting(String name, String defaultValue, String description) {

    public static Setting of(String name, String defaultValue, String description) {
        return new Setting(name, defaultValue, description);
    }

    public static Setting optional(String name, String description) {
        return new Setting(name, null, description);
    }
}
