package dev.anvil.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.anvil.server.config.AnvilConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DatabaseLocationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            postgres://app:s3cret@db.internal:6543/insforge               | jdbc:postgresql://db.internal:6543/insforge              | app | s3cret
            postgresql://app:p%40ss%3Aword@db:5432/x?sslmode=require        | jdbc:postgresql://db:5432/x?sslmode=require               | app | p@ss:word
            postgres://app@localhost/insforge                               | jdbc:postgresql://localhost:5432/insforge                 | app | fallback-pw
            postgres://u:p@[::1]:5433/d                                     | jdbc:postgresql://[::1]:5433/d                            | u   | p
            jdbc:postgresql://db:5432/insforge?user=x&password=y            | jdbc:postgresql://db:5432/insforge?user=x&password=y      | fallback-user | fallback-pw
            """)
    void parsesTheUrlFormsDeploymentsUse(String url, String jdbc, String user, String password) {
        DatabaseLocation location = DatabaseLocation.parse(url, "fallback-user", "fallback-pw");

        assertThat(location.jdbcUrl()).isEqualTo(jdbc);
        assertThat(location.user()).isEqualTo(user);
        assertThat(location.password()).isEqualTo(password);
    }

    @Test
    void postgresVariablesAreTheFallback() {
        AnvilConfig config = AnvilConfig.of(Map.of("POSTGRES_HOST", "pg", "POSTGRES_DB", "proj", "POSTGRES_USER", "owner",
                "POSTGRES_PASSWORD", "pw"));

        assertThat(DatabaseLocation.fromConfig(config)).hasValue(new DatabaseLocation("jdbc:postgresql://pg:5432/proj", "owner", "pw"));
    }

    @Test
    void nothingConfiguredMeansEmbedded() {
        assertThat(DatabaseLocation.fromConfig(AnvilConfig.of(Map.of()))).isEmpty();
    }

    @Test
    void otherSchemesAreRefusedWithoutLeakingThePassword() {
        assertThatThrownBy(() -> DatabaseLocation.parse("mysql://u:topsecret@h/d", null, null))
                .hasMessageContaining("postgres://").hasMessageNotContaining("topsecret");
    }
}
