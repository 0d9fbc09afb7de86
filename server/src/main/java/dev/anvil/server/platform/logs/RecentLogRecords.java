package dev.anvil.server.platform.logs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The server's most recent log records, kept in memory so admins and agents can read them over
 * HTTP ({@code GET /api/logs/insforge.logs}) without access to the process' console. Attached to
 * the root {@code java.util.logging} logger, so it sees what the console sees: every record at or
 * above the configured levels, from every logger in the JVM (one server per JVM in production).
 * Bounded: the oldest record goes when a new one arrives at capacity.
 */
public final class RecentLogRecords extends Handler implements AutoCloseable {

    /** A stack trace beyond this many frames says nothing more to a reader of a log page. */
    private static final int MAX_STACK_CHARS = 8_000;

    /** One captured record; {@code error} is the rendered throwable, or null. */
    public record Entry(long sequence, Instant time, String level, String logger, String message, String error) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;
    private final SimpleFormatter formatter = new SimpleFormatter();
    private long nextSequence = 1;

    private RecentLogRecords(int capacity) {
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(Math.min(capacity, 1024));
        setLevel(Level.ALL);
    }

    /** Starts capturing: attaches a buffer of {@code capacity} records to the root logger. */
    public static RecentLogRecords install(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0");
        }
        RecentLogRecords records = new RecentLogRecords(capacity);
        if (capacity > 0) {
            Logger.getLogger("").addHandler(records);
        }
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        if (capacity == 0 || record == null || !isLoggable(record)) {
            return;
        }
        Entry entry;
        String message = formatter.formatMessage(record);
        String error = record.getThrown() == null ? null : render(record.getThrown());
        synchronized (entries) {
            entry = new Entry(nextSequence++, record.getInstant(), record.getLevel().getName(),
                    record.getLoggerName() == null ? "" : record.getLoggerName(), message == null ? "" : message, error);
            if (entries.size() == capacity) {
                entries.removeFirst();
            }
            entries.addLast(entry);
        }
    }

    /** The buffered records whose logger name passes {@code logger}, oldest first. */
    public List<Entry> snapshot(Predicate<String> logger) {
        List<Entry> copy;
        synchronized (entries) {
            copy = new ArrayList<>(entries);
        }
        copy.removeIf(entry -> !logger.test(entry.logger()));
        return copy;
    }

    @Override
    public void flush() {
    }

    /** Stops capturing (the server is closing). */
    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }

    private static String render(Throwable thrown) {
        StringWriter text = new StringWriter();
        thrown.printStackTrace(new PrintWriter(text));
        String rendered = text.toString();
        return rendered.length() <= MAX_STACK_CHARS ? rendered : rendered.substring(0, MAX_STACK_CHARS) + "\n\t…";
    }
}
