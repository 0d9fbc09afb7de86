package dev.anvil.server.database.bulk;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.anvil.server.http.ApiException;

/**
 * CSV records read one at a time (RFC 4180): the first row names the columns; fields may be
 * quoted, with {@code ""} for a quote and line breaks inside quotes; rows end with CRLF, LF or CR;
 * a byte-order mark and blank lines are skipped (as InsForge's csv-parse options do).
 */
final class CsvRecords implements RecordSource {

    private final Reader in;
    private final List<String> header;
    private int pending = -2; // -2: nothing read ahead
    private long line = 1;

    CsvRecords(Reader in) throws IOException {
        this.in = in;
        int first = in.read();
        if (first != '\uFEFF') {
            pending = first;
        }
        List<String> names = nextRow();
        if (names == null) {
            throw ApiException.invalidInput("Failed to parse .csv file: it has no header row");
        }
        for (String name : names) {
            if (name.isBlank()) {
                throw ApiException.invalidInput("Failed to parse .csv file: the header row has an empty column name");
            }
        }
        this.header = names;
    }

    @Override
    public Map<String, Object> next() throws IOException {
        long startLine = line;
        List<String> values = nextRow();
        if (values == null) {
            return null;
        }
        if (values.size() != header.size()) {
            throw ApiException.invalidInput("Failed to parse .csv file: line " + startLine + " has " + values.size()
                    + " fields, the header has " + header.size());
        }
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            record.put(header.get(i), values.get(i));
        }
        return record;
    }

    /** The next non-blank row's fields, or null at the end. */
    private List<String> nextRow() throws IOException {
        while (true) {
            int c = read();
            if (c < 0) {
                return null;
            }
            if (c == '\r' || c == '\n') {
                endLine(c);
                continue; // a blank line
            }
            unread(c);
            return row();
        }
    }

    private List<String> row() throws IOException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        while (true) {
            int c = read();
            if (quoted) {
                if (c < 0) {
                    throw ApiException.invalidInput("Failed to parse .csv file: a quoted field opened on line " + line + " is not closed");
                }
                if (c == '"') {
                    int next = read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        unread(next);
                    }
                } else {
                    if (c == '\n' || (c == '\r')) {
                        line++;
                    }
                    field.append((char) c);
                }
                continue;
            }
            if (c < 0 || c == '\r' || c == '\n') {
                fields.add(field.toString());
                if (c >= 0) {
                    endLine(c);
                }
                return fields;
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else {
                field.append((char) c);
            }
        }
    }

    private void endLine(int c) throws IOException {
        line++;
        if (c == '\r') {
            int next = read();
            if (next != '\n') {
                unread(next);
            }
        }
    }

    private int read() throws IOException {
        if (pending != -2) {
            int c = pending;
            pending = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pending = c;
    }
}
