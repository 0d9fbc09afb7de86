package dev.anvil.server.http;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps as JavaScript's {@code Date#toISOString} prints them (UTC, always milliseconds), which is
 * how InsForge's answers carry them and what zod's {@code datetime()} accepts.
 */
public final class IsoTime {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private IsoTime() {
    }

    public static String now() {
        return FORMAT.format(Instant.now());
    }

    public static String of(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }

    public static String of(Timestamp timestamp) {
        return timestamp == null ? null : FORMAT.format(timestamp.toInstant());
    }
}
