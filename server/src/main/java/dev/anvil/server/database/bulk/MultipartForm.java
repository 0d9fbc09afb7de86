package dev.anvil.server.database.bulk;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.anvil.server.http.ApiException;

/**
 * A {@code multipart/form-data} body read as a stream: text fields are kept (each up to 64 KiB),
 * the one file field is written to a temporary file as it arrives, so memory does not grow with
 * the upload and the other fields may come before or after the file (the MCP server sends the
 * file first). Anything malformed is a 400; a file over the limit is a 413.
 */
final class MultipartForm implements AutoCloseable {

    private static final int MAX_FIELD_BYTES = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern PARAMETER = Pattern.compile("(?i);\\s*([a-z*]+)=(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^;\\s]*))");

    /** The uploaded file: its name as the client sent it, where it was spooled, how big it is. */
    record UploadedFile(String filename, Path path, long size) {
    }

    private final Map<String, String> fields;
    private final UploadedFile file;

    private MultipartForm(Map<String, String> fields, UploadedFile file) {
        this.fields = fields;
        this.file = file;
    }

    Optional<String> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    Optional<UploadedFile> file() {
        return Optional.ofNullable(file);
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file.path());
            } catch (IOException ignored) {
                // a temporary file; the OS cleans up what is left
            }
        }
    }

    /**
     * @param contentType the request's Content-Type (must be multipart/form-data with a boundary)
     * @param fileField   the name of the file field ({@code file})
     * @param maxFileBytes largest file accepted
     */
    static MultipartForm read(String contentType, InputStream body, String fileField, long maxFileBytes) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiException.invalidInput("Expected a multipart/form-data body with a file field '" + fileField + "'");
        }
        Matcher boundary = BOUNDARY.matcher(contentType);
        if (!boundary.find()) {
            throw ApiException.invalidInput("The multipart Content-Type has no boundary");
        }
        String token = boundary.group(1) != null ? boundary.group(1) : boundary.group(2);
        byte[] delimiter = ("\r\n--" + token).getBytes(StandardCharsets.ISO_8859_1);
        Map<String, String> fields = new HashMap<>();
        UploadedFile file = null;
        try {
            PushbackInputStream in = new PushbackInputStream(new BufferedInputStream(body, 64 * 1024), delimiter.length + 2);
            // The first boundary has no CRLF before it; lending it one lets every boundary be found alike.
            in.unread(new byte[] {'\r', '\n'});
            skipTo(in, delimiter, OutputStream.nullOutputStream(), Long.MAX_VALUE);
            while (!endOfParts(in)) {
                Map<String, String> disposition = disposition(headers(in));
                String name = disposition.get("name");
                if (name != null && name.equals(fileField) && disposition.containsKey("filename") && file == null) {
                    file = spool(in, delimiter, disposition.get("filename"), maxFileBytes);
                } else {
                    ByteArrayOutputStream value = new ByteArrayOutputStream();
                    skipTo(in, delimiter, value, MAX_FIELD_BYTES);
                    if (name != null) {
                        fields.putIfAbsent(name, value.toString(StandardCharsets.UTF_8));
                    }
                }
            }
            return new MultipartForm(fields, file);
        } catch (IOException e) {
            deleteQuietly(file);
            throw ApiException.invalidInput("Could not read the multipart body: " + e.getMessage());
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    private static UploadedFile spool(PushbackInputStream in, byte[] delimiter, String filename, long maxBytes) throws IOException {
        Path path = Files.createTempFile("anvil-bulk-upsert", ".upload");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 64 * 1024)) {
            long size = skipTo(in, delimiter, out, maxBytes);
            return new UploadedFile(filename, path, size);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Copies bytes to {@code out} up to the delimiter, consuming it; returns how many were copied. */
    private static long skipTo(PushbackInputStream in, byte[] delimiter, OutputStream out, long limit) throws IOException {
        long copied = 0;
        byte[] rest = new byte[delimiter.length - 1];
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the body ended inside a part (no closing boundary)");
            }
            if (b == (delimiter[0] & 0xFF)) {
                int read = in.readNBytes(rest, 0, rest.length);
                if (read == rest.length && matches(rest, delimiter)) {
                    return copied;
                }
                in.unread(rest, 0, read);
            }
            if (++copied > limit) {
                throw limit == MAX_FIELD_BYTES
                        ? ApiException.invalidInput("A form field is longer than " + MAX_FIELD_BYTES + " bytes")
                        : new ApiException(413, "PAYLOAD_TOO_LARGE", "The file is larger than the limit of " + limit + " bytes",
                        "Split the file, or raise ANVIL_MAX_BODY_MB");
            }
            out.write(b);
        }
    }

    private static boolean matches(byte[] rest, byte[] delimiter) {
        for (int i = 0; i < rest.length; i++) {
            if (rest[i] != delimiter[i + 1]) {
                return false;
            }
        }
        return true;
    }

    /** After a boundary: {@code --} ends the body, a line break starts the next part (transport padding allowed). */
    private static boolean endOfParts(PushbackInputStream in) throws IOException {
        int first = in.read();
        int second = in.read();
        if (first == '-' && second == '-') {
            return true;
        }
        while (first == ' ' || first == '\t') {
            first = second;
            second = in.read();
        }
        if (first == '\r' && second == '\n') {
            return false;
        }
        throw new IOException("malformed boundary line");
    }

    private static String headers(PushbackInputStream in) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int lastFour = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the body ended inside part headers");
            }
            headers.write(b);
            lastFour = lastFour << 8 | b;
            if (lastFour == 0x0D0A0D0A) {
                return headers.toString(StandardCharsets.UTF_8);
            }
            if (headers.size() == 2 && lastFour == 0x0D0A) {
                return "";
            }
            if (headers.size() > MAX_HEADER_BYTES) {
                throw new IOException("part headers are too long");
            }
        }
    }

    /** The parameters of a part's Content-Disposition ({@code name}, {@code filename}). */
    private static Map<String, String> disposition(String headers) {
        Map<String, String> parameters = new HashMap<>();
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
                continue;
            }
            Matcher parameter = PARAMETER.matcher(line.substring(colon + 1));
            while (parameter.find()) {
                String value = parameter.group(2) != null ? parameter.group(2).replaceAll("\\\\(.)", "$1") : parameter.group(3);
                parameters.put(parameter.group(1).toLowerCase(Locale.ROOT), value);
            }
        }
        return parameters;
    }

    private static void deleteQuietly(UploadedFile file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file.path());
            } catch (IOException ignored) {
                // temporary file
            }
        }
    }
}
