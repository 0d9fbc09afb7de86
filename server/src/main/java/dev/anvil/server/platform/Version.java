package dev.anvil.server.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The project version the build stamped into the jar (semver; @insforge/mcp gates tools on it). */
public final class Version {

    private static final String VERSION = load();

    private Version() {
    }

    public static String current() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/anvil-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("anvil-version.properties is missing from the jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version");
            // A semver of digits, dots and a plain suffix: @insforge/mcp needs semver, and the health
            // body embeds it without escaping (HealthService).
            if (version == null || !version.matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?")) {
                throw new IllegalStateException("anvil-version.properties holds no semver version: " + version);
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
