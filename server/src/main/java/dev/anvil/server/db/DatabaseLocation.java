package dev.anvil.server.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

import dev.anvil.server.config.AnvilConfig;

/**
 * A JDBC URL with its credentials. Accepts the forms InsForge deployments use: a libpq URL
 * ({@code postgres://user:pass@host:port/db?sslmode=…}), a JDBC URL, or the {@code POSTGRES_*}
 * variables. Empty when none is configured, which means "start the embedded database".
 */
public record DatabaseLocation(String jdbcUrl, String user, String password) {

    public static Optional<DatabaseLocation> fromConfig(AnvilConfig config) {
        Optional<String> url = config.find(DatabaseSettings.DATABASE_URL);
        if (url.isPresent()) {
            return Optional.of(parse(url.get(),
                    config.find(DatabaseSettings.POSTGRES_USER).orElse(null),
                    config.find(DatabaseSettings.POSTGRES_PASSWORD).orElse(null)));
        }
        Optional<String> host = config.find(DatabaseSettings.POSTGRES_HOST);
        if (host.isPresent()) {
            String jdbc = "jdbc:postgresql://" + host.get() + ":" + config.get(DatabaseSettings.POSTGRES_PORT)
                    + "/" + config.get(DatabaseSettings.POSTGRES_DB);
            return Optional.of(new DatabaseLocation(jdbc, config.get(DatabaseSettings.POSTGRES_USER),
                    config.find(DatabaseSettings.POSTGRES_PASSWORD).orElse("")));
        }
        return Optional.empty();
    }

    /**
     * Parses a database URL. Credentials inside a libpq URL win over the fallbacks; a JDBC URL keeps
     * its own query parameters (including {@code user}/{@code password} if it carries them).
     */
    public static DatabaseLocation parse(String url, String fallbackUser, String fallbackPassword) {
        String trimmed = url.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new DatabaseLocation(trimmed, fallbackUser, fallbackPassword);
        }
        if (!trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:, got "
                    + trimmed.replaceAll("//[^@/]*@", "//***@"));
        }
        URI uri = URI.create(trimmed);
        String user = fallbackUser;
        String password = fallbackPassword;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? fallbackPassword : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("DATABASE_URL has no host");
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "/postgres" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return new DatabaseLocation("jdbc:postgresql://" + hostPart + ":" + port + path + query, user, password);
    }

    /**
     * A connection of its own, outside the pool, for work that must not share one (a LISTEN, raw SQL
     * with its own protocol settings); {@code applicationName} names it in {@code pg_stat_activity}.
     */
    public Connection openDedicated(String applicationName, Properties settings) throws SQLException {
        Properties properties = new Properties();
        properties.putAll(settings);
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseLocation[" + jdbcUrl + ", user=" + user + "]";
    }
}
