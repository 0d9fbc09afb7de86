package dev.anvil.server.platform.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * {@code postgres.logs} of the embedded database: the tail of the file its Postgres writes
 * ({@code <data dir>/postgres.log}). Only the last {@value #TAIL_BYTES} bytes are read, so a large
 * file costs no more than a small one. Lines in Postgres' default prefix
 * ({@code 2026-08-20 10:11:12.345 UTC [4711] ERROR:  …}) become entries with their time, process and
 * severity; lines without it (a statement spanning lines) continue the entry before them.
 */
public final class PostgresLogFile implements LogSource {

    static final int TAIL_BYTES = 1 << 20;
    private static final Pattern PREFIX = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?) (\\S+) \\[(\\d+)\\] ([A-Z]+):\\s+(.*)$");
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 6, true).optionalEnd().toFormatter();

    private final Path file;

    public PostgresLogFile(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "postgres.logs";
    }

    @Override
    public String token() {
        return file.toString();
    }

    @Override
    public List<LogEntry> entries() throws IOException {
        Instant fallbackTime;
        byte[] tail;
        long start;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            start = Math.max(0, length - TAIL_BYTES);
            tail = new byte[(int) (length - start)];
            in.seek(start);
            in.readFully(tail);
            fallbackTime = Files.getLastModifiedTime(file).toInstant();
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return List.of();
        }
        List<Builder> lines = new ArrayList<>();
        int offset = 0;
        if (start > 0) {
            // The window may begin inside a line: skip to the first whole one.
            while (offset < tail.length && tail[offset] != '\n') {
                offset++;
            }
            offset++;
        }
        while (offset < tail.length) {
            int end = offset;
            while (end < tail.length && tail[end] != '\n') {
                end++;
            }
            String line = new String(tail, offset, end - offset, StandardCharsets.UTF_8).stripTrailing();
            if (!line.isEmpty()) {
                accept(lines, start + offset, line, fallbackTime);
            }
            offset = end + 1;
        }
        return lines.stream().map(Builder::build).toList();
    }

    private static void accept(List<Builder> lines, long position, String line, Instant fallbackTime) {
        Matcher prefix = PREFIX.matcher(line);
        Instant time = prefix.matches() ? parseTime(prefix.group(1), prefix.group(2)) : null;
        if (time == null && !lines.isEmpty()) {
            lines.get(lines.size() - 1).message.append('\n').append(line);
            return;
        }
        Builder entry = new Builder(position, time == null ? fallbackTime : time);
        if (time != null) {
            entry.severity = prefix.group(4);
            entry.pid = prefix.group(3);
            entry.message.append(prefix.group(5));
        } else {
            entry.message.append(line);
        }
        lines.add(entry);
    }

    /** Postgres writes the zone as an abbreviation (UTC, CEST) or an offset; unknown zones are not guessed. */
    static Instant parseTime(String local, String zone) {
        try {
            LocalDateTime time = LocalDateTime.parse(local, TIME);
            ZoneId id = ZoneId.of(zone, ZoneId.SHORT_IDS);
            return time.atZone(id).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static final class Builder {
        final long position;
        final Instant time;
        final StringBuilder message = new StringBuilder();
        String severity;
        String pid;

        Builder(long position, Instant time) {
            this.position = position;
            this.time = time;
        }

        LogEntry build() {
            ObjectNode body = Json.object();
            if (severity != null) {
                body.put("level", severity);
                body.put("pid", pid);
            }
            body.put("message", message.toString());
            String text = severity == null ? message.toString() : severity + ":  " + message;
            return new LogEntry(String.valueOf(position), time, text, body);
        }
    }
}
