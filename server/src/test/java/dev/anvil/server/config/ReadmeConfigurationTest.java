package dev.anvil.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is generated from the code ({@link SettingsCatalog#markdownTable()})
 * and must match it exactly. On failure, paste the expected table between the README's
 * {@code <!-- settings:begin -->} and {@code <!-- settings:end -->} markers.
 */
class ReadmeConfigurationTest {

    @Test
    void readmeConfigurationTableMatchesTheCode() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int begin = readme.indexOf("<!-- settings:begin -->");
        int end = readme.indexOf("<!-- settings:end -->");
        assertThat(begin).as("README has the settings:begin marker").isNotNegative();
        assertThat(end).as("README has the settings:end marker").isGreaterThan(begin);

        String documented = readme.substring(begin + "<!-- settings:begin -->".length(), end).strip();
        assertThat(documented).isEqualTo(SettingsCatalog.markdownTable().strip());
    }
}
