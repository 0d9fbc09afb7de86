package dev.anvil.server.platform.logs;

import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/** A view of {@link RecentLogRecords}: the records of the loggers a source is about. */
public final class BufferedLogSource implements LogSource {

    private final String name;
    private final String token;
    private final RecentLogRecords records;
    private final Predicate<String> logger;

    public BufferedLogSource(String name, String token, RecentLogRecords records, Predicate<String> logger) {
        this.name = name;
        this.token = token;
        this.records = records;
        this.logger = logger;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String token() {
        return token;
    }

    @Override
    public List<LogEntry> entries() {
        return records.snapshot(logger).stream().map(BufferedLogSource::entry).toList();
    }

    private static LogEntry entry(RecentLogRecords.Entry record) {
        ObjectNode body = Json.object();
        body.put("level", record.level());
        body.put("logger", record.logger());
        body.put("message", record.message());
        if (record.error() != null) {
            body.put("error", record.error());
        }
        String eventMessage = record.error() == null ? record.message() : record.message() + "\n\n" + record.error();
        return new LogEntry(String.valueOf(record.sequence()), record.time(), eventMessage, body);
    }
}
