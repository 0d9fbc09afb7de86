package dev.anvil.server.realtime;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Timestamps as JavaScript's {@code Date#toISOString} prints them (UTC, milliseconds), which zod's {@code datetime()} accepts. */
final class IsoTime {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private IsoTime() {
    }

    static String now() {
        return FORMAT.format(Instant.now());
    }

    static String of(Timestamp timestamp) {
        return timestamp == null ? null : FORMAT.format(timestamp.toInstant());
    }
}
