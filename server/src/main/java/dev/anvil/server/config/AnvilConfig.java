package dev.anvil.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Where settings come from, in order of precedence: explicit overrides (tests, the CLI), the process
 * environment, then {@code application.yaml} — the file named by {@code ANVIL_CONFIG}, else
 * {@code ./application.yaml} if present — then each {@link Setting}'s own default. Names are the same everywhere, so an InsForge {@code .env} works
 * unchanged and a yaml key is spelled exactly like its environment variable.
 */
public final class AnvilConfig {

    private final Function<String, String> lookup;

    private AnvilConfig(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** Settings from the environment and application.yaml. */
    public static AnvilConfig fromEnvironment() {
        return layered(Map.of(), System.getenv());
    }

    /** Settings from the given map only (plus application.yaml and defaults); used by tests and embedders. */
    public static AnvilConfig of(Map<String, String> values) {
        return layered(values, Map.of());
    }

    private static AnvilConfig layered(Map<String, String> overrides, Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>(environment);
        merged.putAll(overrides);
        Optional<Config> yaml = yamlFile(merged.get("ANVIL_CONFIG")).map(file -> Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.file(file))
                .build());
        return new AnvilConfig(name -> {
            String value = merged.get(name);
            if (value != null || yaml.isEmpty()) {
                return value;
            }
            return yaml.get().get(name).asString().orElse(null);
        });
    }

    /** The yaml file to read, if any; without one no config machinery is loaded (it costs startup time). */
    private static Optional<Path> yamlFile(String explicitFile) {
        if (explicitFile != null && !explicitFile.isBlank()) {
            Path file = Path.of(explicitFile);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("ANVIL_CONFIG points to " + file.toAbsolutePath() + ", which is not a file");
            }
            return Optional.of(file);
        }
        Path local = Path.of("application.yaml");
        return Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
    }

    /** The raw value, or the setting's default; empty if neither is set (an empty string counts as unset). */
    public Optional<String> find(Setting setting) {
        String value = lookup.apply(setting.name());
        if (value == null || value.isBlank()) {
            value = setting.defaultValue();
        }
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String get(Setting setting) {
        return find(setting).orElseThrow(() -> new ConfigException(setting, "is required"));
    }

    public int getInt(Setting setting) {
        String value = get(setting);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(setting, "must be an integer, got '" + value + "'");
        }
    }

    public long getLong(Setting setting) {
        String value = get(setting);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(setting, "must be an integer, got '" + value + "'");
        }
    }

    public boolean getBoolean(Setting setting) {
        String value = get(setting).toLowerCase();
        return switch (value) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(setting, "must be true or false, got '" + value + "'");
        };
    }

    /** Durations are given in seconds. */
    public Duration getSeconds(Setting setting) {
        return Duration.ofSeconds(getLong(setting));
    }

    /** A setting whose value is wrong; the message names the setting so the operator can fix it. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(Setting setting, String problem) {
            super("Configuration " + setting.name() + " " + problem);
        }
    }
}
