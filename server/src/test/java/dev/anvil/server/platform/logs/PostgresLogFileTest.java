package dev.anvil.server.platform.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code postgres.logs} from the embedded Postgres' file, in the format its default prefix writes. */
class PostgresLogFileTest {

    @TempDir
    Path dir;

    @Test
    void linesBecomeEntriesWithTimeSeverityAndProcess() throws IOException {
        Path file = dir.resolve("postgres.log");
        Files.writeString(file, """
                2026-08-20 10:11:12.345 UTC [4711] LOG:  database system is ready to accept connections
                2026-08-20 10:11:13.001 UTC [4712] ERROR:  relation "nope" does not exist at character 15
                2026-08-20 10:11:13.001 UTC [4712] STATEMENT:  select * from nope
                	where true
                """);

        List<LogEntry> entries = new PostgresLogFile(file).entries();

        assertThat(entries).hasSize(3);
        assertThat(entries.get(0).timestamp()).isEqualTo(Instant.parse("2026-08-20T10:11:12.345Z"));
        assertThat(entries.get(1).eventMessage()).isEqualTo("ERROR:  relation \"nope\" does not exist at character 15");
        assertThat(entries.get(1).body().get("level").asText()).isEqualTo("ERROR");
        assertThat(entries.get(1).body().get("pid").asText()).isEqualTo("4712");
        assertThat(entries.get(2).body().get("message").asText()).isEqualTo("select * from nope\n\twhere true");
        assertThat(entries.get(0).id()).isEqualTo("0");
        assertThat(Long.parseLong(entries.get(1).id())).isPositive();
    }

    @Test
    void aLargeFileIsReadFromItsTailOnly() throws IOException {
        Path file = dir.resolve("postgres.log");
        String line = "2026-08-20 10:11:12.345 UTC [1] LOG:  " + "x".repeat(100) + "\n";
        int lines = (PostgresLogFile.TAIL_BYTES / line.length()) * 3;
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            content.append(line);
        }
        content.append("2026-08-20 10:11:14.000 +02 [2] WARNING:  the last one\n");
        Files.writeString(file, content, StandardCharsets.UTF_8);

        List<LogEntry> entries = new PostgresLogFile(file).entries();

        assertThat(entries.size()).isLessThan(lines / 2).isGreaterThan(lines / 4);
        assertThat(entries.get(0).eventMessage()).startsWith("LOG:  xxx");
        LogEntry last = entries.get(entries.size() - 1);
        assertThat(last.eventMessage()).isEqualTo("WARNING:  the last one");
        assertThat(last.timestamp()).isEqualTo(Instant.parse("2026-08-20T08:11:14Z"));
    }

    @Test
    void noFileMeansNoEntries() throws IOException {
        assertThat(new PostgresLogFile(dir.resolve("missing.log")).entries()).isEmpty();
    }
}
