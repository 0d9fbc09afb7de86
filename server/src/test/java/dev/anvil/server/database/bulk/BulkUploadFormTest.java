package dev.anvil.server.database.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.stream.Stream;

import dev.anvil.server.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bulk-upsert form on bodies shaped like the ones clients send, and broken ones, with the status each answers. */
class BulkUploadFormTest {

    static final String TYPE = "multipart/form-data; boundary=XyZ";

    static String body(String... parts) {
        StringBuilder body = new StringBuilder("preamble is ignored\r\n");
        for (String part : parts) {
            body.append("--XyZ\r\n").append(part).append("\r\n");
        }
        return body.append("--XyZ--\r\nepilogue is ignored").toString();
    }

    static BulkUploadForm read(String contentType, String body, long maxFile) {
        return BulkUploadForm.read(contentType, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), "file", maxFile);
    }

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("a,b\r\n1,2\r\n"),
                Arguments.of(""),
                Arguments.of("contains --XyZ without the line break before it"),
                Arguments.of("\r\n--Xy almost a boundary\r\n-- XyZ with a space"),
                Arguments.of("ünïcödé ✓ and\r\n\r\nblank lines"));
    }

    @ParameterizedTest
    @MethodSource("files")
    void fileContentArrivesByteForByteWhateverComesBeforeOrAfter(String content) throws IOException {
        String body = body("Content-Disposition: form-data; name=\"file\"; filename=\"data.csv\"\r\nContent-Type: text/csv\r\n\r\n" + content,
                "Content-Disposition: form-data; name=\"table\"\r\n\r\nposts",
                "Content-Disposition: form-data; name=\"upsertKey\"\r\n\r\nslug");

        try (BulkUploadForm form = read(TYPE, body, 1 << 20)) {
            assertThat(Files.readString(form.file().orElseThrow().spooled().path())).isEqualTo(content);
            assertThat(form.file().orElseThrow().filename()).isEqualTo("data.csv");
            assertThat(form.file().orElseThrow().spooled().size()).isEqualTo(content.getBytes(StandardCharsets.UTF_8).length);
            assertThat(form.field("table")).contains("posts");
            assertThat(form.field("upsertKey")).contains("slug");
        }
    }

    @Test
    void fieldsBeforeTheFileAndAQuotedBoundary() throws IOException {
        String body = body("Content-Disposition: form-data; name=\"table\"\r\n\r\nt",
                "content-disposition: form-data; name=file; filename=\"a \\\"b\\\".json\"\r\n\r\n[]");

        try (BulkUploadForm form = read("multipart/form-data; boundary=\"XyZ\"; charset=utf-8", body, 100)) {
            assertThat(form.field("table")).contains("t");
            assertThat(form.file().orElseThrow().filename()).isEqualTo("a \"b\".json");
        }
    }

    @Test
    void theTemporaryFileIsDeletedOnClose() throws IOException {
        BulkUploadForm form = read(TYPE, body("Content-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\nx"), 100);
        var path = form.file().orElseThrow().spooled().path();
        assertThat(Files.exists(path)).isTrue();

        form.close();

        assertThat(Files.exists(path)).isFalse();
    }

    @Test
    void largeFilesStreamThroughInChunks() throws IOException {
        byte[] big = "0123456789abcdef\r\n".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
        byte[] head = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\r\n--XyZ--\r\n".getBytes(StandardCharsets.US_ASCII);
        InputStream body = new java.io.SequenceInputStream(new ByteArrayInputStream(head),
                new java.io.SequenceInputStream(new ByteArrayInputStream(big), new ByteArrayInputStream(tail)));

        try (BulkUploadForm form = BulkUploadForm.read(TYPE, body, "file", 10L << 20)) {
            assertThat(form.file().orElseThrow().spooled().size()).isEqualTo(big.length);
            assertThat(Files.mismatch(form.file().orElseThrow().spooled().path(), writeTemp(big))).isEqualTo(-1);
        }
    }

    static java.nio.file.Path writeTemp(byte[] bytes) throws IOException {
        java.nio.file.Path path = Files.createTempFile("expected", ".bin");
        path.toFile().deleteOnExit();
        return Files.write(path, bytes);
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("application/json", body(), 400, "Expected a multipart/form-data body"),
                Arguments.of("multipart/form-data", body(), 400, "has no boundary"),
                Arguments.of(TYPE, "--XyZ\r\nContent-Disposition: form-data; name=\"table\"\r\n\r\nno end", 400, "ended before the closing boundary"),
                Arguments.of(TYPE, "--XyZ\r\nContent-Disposition: form-data; name=\"table\"", 400, "ended inside the headers of a part"),
                Arguments.of(TYPE, body("Content-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\n" + "x".repeat(101)),
                        413, "larger than the limit of 100 bytes"),
                Arguments.of(TYPE, body("Content-Disposition: form-data; name=\"note\"\r\n\r\n" + "x".repeat(70_000)), 400,
                        "longer than 65536 bytes"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("broken")
    void brokenBodiesAreClientErrors(String contentType, String body, int status, String message) {
        assertThatThrownBy(() -> read(contentType, body, 100)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void theFirstFilePartWithAFileNameIsTheFileOtherPartsAreFields() throws IOException {
        String body = body("Content-Disposition: form-data; name=\"file\"\r\n\r\nno file name, so a field",
                "Content-Disposition: form-data; name=\"file\"; filename=\"first.csv\"\r\n\r\na\n1",
                "Content-Disposition: form-data; name=\"file\"; filename=\"second.csv\"\r\n\r\nb\n2",
                "Content-Disposition: form-data; name=\"table\"\r\n\r\nfirst",
                "Content-Disposition: form-data; name=\"table\"\r\n\r\nsecond",
                "Content-Disposition: form-data\r\n\r\nno name, dropped");

        try (BulkUploadForm form = read(TYPE, body, 100)) {
            assertThat(form.file().orElseThrow().filename()).isEqualTo("first.csv");
            assertThat(Files.readString(form.file().orElseThrow().spooled().path())).isEqualTo("a\n1");
            assertThat(form.field("table")).contains("first");
            assertThat(form.field("file")).contains("no file name, so a field");
        }
    }

    @Test
    void fieldsMayNotMakeTheBodyMuchLargerThanTheFileLimit() {
        String[] parts = new String[40];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = "Content-Disposition: form-data; name=\"f" + i + "\"\r\n\r\n" + "x".repeat(60_000);
        }
        assertThatThrownBy(() -> read(TYPE, body(parts), 100)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(413);
            assertThat(e.code()).isEqualTo("PAYLOAD_TOO_LARGE");
            assertThat(e.getMessage()).contains("The request body is larger than the limit of " + (100 + BulkUploadForm.FIELDS_ALLOWANCE));
        });
    }
}
