package dev.anvil.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A streaming reader of {@code multipart/form-data} bodies (RFC 7578 / RFC 2046). Parts are read one
 * after another straight from the request stream through one fixed buffer, so a part of any size
 * passes through in constant memory; nothing is buffered beyond {@value #BUFFER_SIZE} bytes.
 *
 * <p>The body of each part ends where the delimiter {@code CRLF--boundary} begins. The reader keeps
 * the last {@code delimiter.length - 1} bytes of its buffer back until it knows they do not start a
 * delimiter, which is how a boundary split across two reads of the network stream is still found.
 * Every part body is limited to {@code maxPartBytes} (a text field may ask for less, see
 * {@link Part#text(int)}), and the whole body to {@code maxTotalBytes}: crossing either throws a
 * {@link TooLargeException} at once, without reading the rest. A body that ends before its closing
 * boundary, header sections over {@value #MAX_HEADER_BYTES} bytes, and bytes after a delimiter that
 * are neither {@code --} nor a line break are {@link MalformedMultipartException}s.
 *
 * <p>A part's body can be read as a stream, handed to a sink ({@code part.body().transferTo(out)},
 * straight from the reader's buffer), read as a text field, or spooled to a temporary file when the
 * rest of the form must be read before the file is used. Which part is the file, and what each
 * failure answers, is the route's business (storage and the database's bulk upsert differ).
 */
public final class MultipartReader {

    static final int BUFFER_SIZE = 64 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_BOUNDARY_LENGTH = 200;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final InputStream in;
    private final byte[] delimiter;
    /** Horspool's shift for each byte value found under the delimiter's last position. */
    private final int[] skip = new int[256];
    private final long maxPartBytes;
    private final long maxTotalBytes;
    private long totalRead;
    private final byte[] buffer;
    private int position;
    private int limit;
    /** Unread bytes before this index are known not to start a delimiter. */
    private int clearUntil;
    private boolean started;
    private boolean endOfInput;
    private boolean finished;
    private PartBody current;

    /** A reader whose parts may each be up to {@code maxPartBytes}, with no limit on the whole body. */
    public MultipartReader(InputStream in, String boundary, long maxPartBytes) {
        this(in, boundary, maxPartBytes, Long.MAX_VALUE);
    }

    public MultipartReader(InputStream in, String boundary, long maxPartBytes, long maxTotalBytes) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.maxPartBytes = maxPartBytes;
        this.maxTotalBytes = maxTotalBytes;
        this.buffer = new byte[Math.max(BUFFER_SIZE, delimiter.length * 4)];
        Arrays.fill(skip, delimiter.length);
        for (int i = 0; i < delimiter.length - 1; i++) {
            skip[delimiter[i] & 0xff] = delimiter.length - 1 - i;
        }
        // A virtual line break before the body lets the first boundary (which has none) match the delimiter.
        buffer[0] = CR;
        buffer[1] = LF;
        limit = 2;
    }

    /** The boundary parameter of a {@code multipart/form-data} content type; empty for any other type. */
    public static Optional<String> boundaryOf(String contentType) {
        if (!isFormData(contentType)) {
            return Optional.empty();
        }
        String[] pieces = contentType.split(";");
        for (int i = 1; i < pieces.length; i++) {
            String piece = pieces[i].trim();
            int equals = piece.indexOf('=');
            if (equals > 0 && piece.substring(0, equals).trim().equalsIgnoreCase("boundary")) {
                String value = unquote(piece.substring(equals + 1).trim());
                if (!value.isEmpty() && value.length() <= MAX_BOUNDARY_LENGTH) {
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    /** True when the content type is {@code multipart/form-data}, with or without a usable boundary. */
    public static boolean isFormData(String contentType) {
        return contentType != null && contentType.split(";")[0].trim().equalsIgnoreCase("multipart/form-data");
    }

    /**
     * The next part with its headers read, or empty after the closing boundary. An unread rest of the
     * previous part is skipped (still within its size limit).
     */
    public Optional<Part> next() throws IOException {
        if (current != null) {
            current.skipRest();
            current = null;
        }
        if (finished) {
            return Optional.empty();
        }
        if (!afterDelimiter()) {
            finished = true;
            return Optional.empty();
        }
        Map<String, String> headers = readHeaders();
        current = new PartBody();
        return Optional.of(new Part(headers, current));
    }

    /**
     * Positions the reader after the next delimiter and its line break; false when the delimiter
     * turned out to be the closing one ({@code --boundary--}).
     */
    private boolean afterDelimiter() throws IOException {
        if (!started) {
            started = true;
            // Before the first part: skip any preamble up to the first delimiter.
            while (true) {
                int match = find();
                if (match >= 0) {
                    position = match + delimiter.length;
                    break;
                }
                if (endOfInput) {
                    throw new MalformedMultipartException("The body has no multipart boundary");
                }
                position = Math.max(position, limit - delimiter.length + 1);
                fill();
            }
        }
        ensure(2);
        if (available() >= 2 && buffer[position] == '-' && buffer[position + 1] == '-') {
            position += 2;
            return false;
        }
        // RFC 2046 allows transport padding (spaces, tabs) between the boundary and its line break.
        while (true) {
            ensure(1);
            if (available() == 0) {
                throw new MalformedMultipartException("The body ended right after a boundary");
            }
            byte b = buffer[position];
            if (b == ' ' || b == '\t') {
                position++;
                continue;
            }
            break;
        }
        ensure(2);
        if (available() < 2 || buffer[position] != CR || buffer[position + 1] != LF) {
            throw new MalformedMultipartException("A boundary is not followed by a line break");
        }
        position += 2;
        return true;
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                ensure(1);
                if (available() == 0) {
                    throw new MalformedMultipartException("The body ended inside the headers of a part");
                }
                byte b = buffer[position++];
                if (++total > MAX_HEADER_BYTES) {
                    throw new MalformedMultipartException("The headers of a part are larger than " + MAX_HEADER_BYTES + " bytes");
                }
                if (b == LF) {
                    break;
                }
                line.write(b);
            }
            byte[] bytes = line.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == CR ? bytes.length - 1 : bytes.length;
            if (length == 0) {
                return headers;
            }
            // Browsers send UTF-8 file names in these headers.
            String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMultipartException("A part has a malformed header line");
            }
            headers.put(text.substring(0, colon).trim().toLowerCase(Locale.ROOT), text.substring(colon + 1).trim());
        }
    }

    /**
     * Index of the first complete delimiter in the unread buffer, or -1. Boyer-Moore-Horspool: on
     * file content the scan jumps about a delimiter's length per comparison instead of testing every
     * byte, which keeps the parser far below the cost of the disk write.
     */
    private int find() {
        int length = delimiter.length;
        int last = length - 1;
        int i = position;
        int end = limit - length;
        while (i <= end) {
            int j = last;
            while (buffer[i + j] == delimiter[j]) {
                if (j == 0) {
                    return i;
                }
                j--;
            }
            i += skip[buffer[i + last] & 0xff];
        }
        return -1;
    }

    private int available() {
        return limit - position;
    }

    /** Reads until at least {@code count} bytes are unread or the input has ended. */
    private void ensure(int count) throws IOException {
        while (available() < count && !endOfInput) {
            fill();
        }
    }

    /** Moves the unread bytes to the front and reads more after them. */
    private void fill() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            clearUntil = Math.max(0, clearUntil - position);
            position = 0;
        }
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            endOfInput = true;
        } else {
            limit += read;
            totalRead += read;
            if (totalRead > maxTotalBytes) {
                throw new BodyTooLargeException(maxTotalBytes);
            }
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length() - 1) {
                    c = value.charAt(++i);
                }
                out.append(c);
            }
            return out.toString();
        }
        return value;
    }

    /** One part: its headers and a stream of its body (valid until the next call to {@link #next()}). */
    public static final class Part {
        private final Map<String, String> headers;
        private final PartBody body;
        private final Map<String, String> disposition;

        private Part(Map<String, String> headers, PartBody body) {
            this.headers = headers;
            this.body = body;
            this.disposition = dispositionParameters(headers.getOrDefault("content-disposition", ""));
        }

        /** The form field name, or empty when the part has none. */
        public String name() {
            return disposition.getOrDefault("name", "");
        }

        /** The client's file name (RFC 5987 {@code filename*} preferred), if the part is a file. */
        public Optional<String> fileName() {
            String extended = disposition.get("filename*");
            if (extended != null) {
                int quote = extended.indexOf("''");
                if (quote >= 0 && extended.substring(0, quote).equalsIgnoreCase("utf-8")) {
                    Optional<String> decoded = PercentEncoding.decode(extended.substring(quote + 2));
                    if (decoded.isPresent()) {
                        return decoded;
                    }
                }
            }
            return Optional.ofNullable(disposition.get("filename"));
        }

        public Optional<String> contentType() {
            return Optional.ofNullable(headers.get("content-type"));
        }

        /** The body as a stream; {@code transferTo} hands it to a sink without an extra copy. */
        public InputStream body() {
            return body;
        }

        /**
         * Lowers this part's size limit below the reader's (a form's text fields and its file often
         * have different ones); reading past it throws {@link PartTooLargeException} for it.
         */
        public Part limit(long maxBytes) {
            body.maxBytes = Math.min(body.maxBytes, maxBytes);
            return this;
        }

        /** The body as UTF-8 text, for a form field of at most {@code maxBytes}. */
        public String text(int maxBytes) throws IOException {
            limit(maxBytes);
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }

        /**
         * Writes the body to a new temporary file, for a route that needs the fields after the file
         * before it can use the file. The file is gone again if this fails, and when the returned
         * {@link SpooledFile} is closed.
         */
        public SpooledFile spool(String prefix) throws IOException {
            Path path = Files.createTempFile(prefix, ".part");
            try (OutputStream out = Files.newOutputStream(path)) {
                long size = body.transferTo(out);
                return new SpooledFile(path, size);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(path);
                throw e;
            }
        }

        private static Map<String, String> dispositionParameters(String header) {
            Map<String, String> parameters = new LinkedHashMap<>();
            int i = header.indexOf(';');
            while (i >= 0 && i < header.length()) {
                int equals = header.indexOf('=', i);
                if (equals < 0) {
                    break;
                }
                String name = header.substring(i + 1, equals).trim().toLowerCase(Locale.ROOT);
                int start = equals + 1;
                while (start < header.length() && header.charAt(start) == ' ') {
                    start++;
                }
                int end;
                String value;
                if (start < header.length() && header.charAt(start) == '"') {
                    StringBuilder quoted = new StringBuilder();
                    end = start + 1;
                    while (end < header.length() && header.charAt(end) != '"') {
                        char c = header.charAt(end);
                        if (c == '\\' && end + 1 < header.length()) {
                            c = header.charAt(++end);
                        }
                        quoted.append(c);
                        end++;
                    }
                    value = quoted.toString();
                    end = header.indexOf(';', end);
                } else {
                    end = header.indexOf(';', start);
                    value = (end < 0 ? header.substring(start) : header.substring(start, end)).trim();
                }
                parameters.putIfAbsent(name, value);
                i = end;
            }
            return parameters;
        }
    }

    /** The body of the current part: bytes up to the next delimiter. */
    private final class PartBody extends InputStream {
        private boolean ended;
        private long count;
        private long maxBytes = maxPartBytes;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return ended ? -1 : 0;
            }
            int ready = ready();
            if (ready < 0) {
                return -1;
            }
            int n = Math.min(length, ready);
            count(n);
            System.arraycopy(buffer, position, target, offset, n);
            position += n;
            return n;
        }

        /** Hands the body to {@code out} straight from the reader's buffer, saving a copy per byte. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long transferred = 0;
            int ready;
            while ((ready = ready()) >= 0) {
                count(ready);
                out.write(buffer, position, ready);
                position += ready;
                transferred += ready;
            }
            return transferred;
        }

        /**
         * How many bytes from {@code position} are certainly body (at least one, reading more input
         * if needed), or -1 when the delimiter is reached.
         */
        private int ready() throws IOException {
            if (ended) {
                return -1;
            }
            while (true) {
                if (clearUntil <= position) {
                    int match = find();
                    if (match == position) {
                        position += delimiter.length;
                        clearUntil = position;
                        ended = true;
                        return -1;
                    }
                    clearUntil = match >= 0 ? match : Math.max(position, limit - delimiter.length + 1);
                }
                if (clearUntil > position) {
                    return clearUntil - position;
                }
                if (endOfInput) {
                    throw new MalformedMultipartException("The body ended before the closing boundary");
                }
                fill();
            }
        }

        private void count(int n) throws PartTooLargeException {
            count += n;
            if (count > maxBytes) {
                throw new PartTooLargeException(maxBytes);
            }
        }

        void skipRest() throws IOException {
            transferTo(OutputStream.nullOutputStream());
        }
    }

    /** A part's body written to a temporary file; closing deletes the file. */
    public record SpooledFile(Path path, long size) implements AutoCloseable {
        @Override
        public void close() {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a temporary file; the OS cleans up what is left
            }
        }
    }

    /** The body is not well-formed multipart; the client's fault (400). */
    public static final class MalformedMultipartException extends IOException {
        MalformedMultipartException(String message) {
            super(message);
        }
    }

    /** A part or the whole body is larger than allowed; thrown as soon as the limit is crossed. */
    public abstract static sealed class TooLargeException extends IOException permits PartTooLargeException, BodyTooLargeException {
        private final long limit;

        TooLargeException(String message, long limit) {
            super(message);
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /** One part is larger than its limit. */
    public static final class PartTooLargeException extends TooLargeException {
        PartTooLargeException(long limit) {
            super("A part is larger than " + limit + " bytes", limit);
        }
    }

    /** The whole body is larger than the reader's total limit. */
    public static final class BodyTooLargeException extends TooLargeException {
        BodyTooLargeException(long limit) {
            super("The multipart body is larger than " + limit + " bytes", limit);
        }
    }
}
