package dev.anvil.server.database.bulk;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.MultipartReader;
import dev.anvil.server.http.MultipartReader.SpooledFile;

/**
 * The upload form of bulk upsert and the SQL import, read with the streaming {@link MultipartReader}: text fields are kept (each
 * up to 64 KiB), the file is spooled to a temporary file as it arrives, so memory does not grow with
 * the upload and the other fields may come before or after the file (the MCP server sends the file
 * first). The file is the first part named by the file field that carries a file name; other parts
 * are fields, the first of each name kept. Anything malformed is a 400 {@code INVALID_INPUT}; a file
 * over the limit, or a body over the limit plus {@value #FIELDS_ALLOWANCE} bytes for the fields and
 * framing, is a 413.
 */
public final class BulkUploadForm implements AutoCloseable {

    private static final int MAX_FIELD_BYTES = 64 * 1024;
    /** What the body may carry besides the file: the fields and the multipart framing. */
    static final long FIELDS_ALLOWANCE = 1024 * 1024;

    /** The uploaded file: its name as the client sent it, and its bytes on disk. */
    public record UploadedFile(String filename, SpooledFile spooled) {
    }

    private final Map<String, String> fields;
    private final UploadedFile file;

    private BulkUploadForm(Map<String, String> fields, UploadedFile file) {
        this.fields = fields;
        this.file = file;
    }

    public Optional<String> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    public Optional<UploadedFile> file() {
        return Optional.ofNullable(file);
    }

    @Override
    public void close() {
        closeQuietly(file);
    }

    /**
     * @param contentType  the request's Content-Type (must be multipart/form-data with a boundary)
     * @param fileField    the name of the file field ({@code file})
     * @param maxFileBytes largest file accepted
     */
    public static BulkUploadForm read(String contentType, InputStream body, String fileField, long maxFileBytes) {
        if (!MultipartReader.isFormData(contentType)) {
            throw ApiException.invalidInput("Expected a multipart/form-data body with a file field '" + fileField + "'");
        }
        String boundary = MultipartReader.boundaryOf(contentType)
                .orElseThrow(() -> ApiException.invalidInput("The multipart Content-Type has no boundary"));
        // Parts are limited one by one below (the file and the fields differ), the body as a whole here.
        MultipartReader reader = new MultipartReader(body, boundary, Long.MAX_VALUE, saturatedAdd(maxFileBytes, FIELDS_ALLOWANCE));
        Map<String, String> fields = new HashMap<>();
        UploadedFile file = null;
        try {
            Optional<MultipartReader.Part> next;
            while ((next = reader.next()).isPresent()) {
                MultipartReader.Part part = next.get();
                if (file == null && part.name().equals(fileField) && part.fileName().isPresent()) {
                    file = new UploadedFile(part.fileName().get(), part.limit(maxFileBytes).spool("anvil-bulk-upsert"));
                } else {
                    String value = text(part);
                    if (!part.name().isEmpty()) {
                        fields.putIfAbsent(part.name(), value);
                    }
                }
            }
            return new BulkUploadForm(fields, file);
        } catch (MultipartReader.TooLargeException e) {
            closeQuietly(file);
            String what = e instanceof MultipartReader.BodyTooLargeException ? "The request body" : "The file";
            throw new ApiException(413, "PAYLOAD_TOO_LARGE", what + " is larger than the limit of " + e.limit() + " bytes",
                    "Split the file, or raise ANVIL_MAX_BODY_MB");
        } catch (IOException e) {
            closeQuietly(file);
            throw ApiException.invalidInput("Could not read the multipart body: " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(file);
            throw e;
        }
    }

    private static String text(MultipartReader.Part part) throws IOException {
        try {
            return part.text(MAX_FIELD_BYTES);
        } catch (MultipartReader.PartTooLargeException e) {
            throw ApiException.invalidInput("A form field is longer than " + MAX_FIELD_BYTES + " bytes");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    private static void closeQuietly(UploadedFile file) {
        if (file != null) {
            file.spooled().close();
        }
    }
}
