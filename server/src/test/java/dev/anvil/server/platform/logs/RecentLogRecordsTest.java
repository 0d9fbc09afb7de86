package dev.anvil.server.platform.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

/** The in-memory log buffer: bounded, oldest first, filtered by logger, detached on close. */
class RecentLogRecordsTest {

    static final Logger LOG = Logger.getLogger("dev.anvil.server.platform.logs.RecentLogRecordsTest");

    @Test
    void keepsTheNewestRecordsUpToItsCapacity() {
        try (RecentLogRecords records = RecentLogRecords.install(3)) {
            for (int i = 1; i <= 5; i++) {
                LOG.log(Level.INFO, "record {0}", i);
            }

            assertThat(records.snapshot(LOG.getName()::equals)).extracting(RecentLogRecords.Entry::message)
                    .containsExactly("record 3", "record 4", "record 5");
            assertThat(records.snapshot(name -> false)).isEmpty();
        }
    }

    @Test
    void stopsListeningWhenClosed() {
        RecentLogRecords records = RecentLogRecords.install(10);
        records.close();

        LOG.info("after close");

        assertThat(records.snapshot(name -> true)).isEmpty();
        assertThat(Logger.getLogger("").getHandlers()).doesNotContain(records);
    }

    @Test
    void aCapacityOfZeroKeepsNothingAndAttachesNothing() {
        try (RecentLogRecords records = RecentLogRecords.install(0)) {
            LOG.info("nothing kept");

            assertThat(records.snapshot(name -> true)).isEmpty();
            assertThat(Logger.getLogger("").getHandlers()).doesNotContain(records);
        }
    }
}
