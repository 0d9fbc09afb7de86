package dev.anvil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.anvil.server.testing.MultipartBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming multipart parser on its own: bodies fed through streams that return arbitrary small
 * chunks (so every boundary is split across reads somewhere), bodies full of near-boundaries,
 * framing variants clients really send, and every malformed shape the server must refuse.
 */
class MultipartReaderTest {

    static final String BOUNDARY = MultipartBody.BOUNDARY;

    static byte[] encode(List<MultipartBody.Part> parts) {
        return MultipartBody.encode(BOUNDARY, parts, "", "");
    }

    /** Returns at most {@code maxChunk} bytes per read, a random amount each time. */
    static final class ChoppyStream extends InputStream {
        private final ByteArrayInputStream in;
        private final Random random;
        private final int maxChunk;
        long delivered;

        ChoppyStream(byte[] data, long seed, int maxChunk) {
            this.in = new ByteArrayInputStream(data);
            this.random = new Random(seed);
            this.maxChunk = maxChunk;
        }

        @Override
        public int read() {
            int b = in.read();
            if (b >= 0) {
                delivered++;
            }
            return b;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            int n = in.read(target, offset, Math.min(length, 1 + random.nextInt(maxChunk)));
            if (n > 0) {
                delivered += n;
            }
            return n;
        }
    }

    record ReadPart(String name, Optional<String> fileName, Optional<String> contentType, byte[] body) {
    }

    static List<ReadPart> readAll(InputStream in, String boundary, long limit) throws IOException {
        return readAll(in, boundary, limit, Long.MAX_VALUE);
    }

    static List<ReadPart> readAll(InputStream in, String boundary, long limit, long totalLimit) throws IOException {
        MultipartReader reader = new MultipartReader(in, boundary, limit, totalLimit);
        List<ReadPart> parts = new ArrayList<>();
        Optional<MultipartReader.Part> part;
        while ((part = reader.next()).isPresent()) {
            parts.add(new ReadPart(part.get().name(), part.get().fileName(), part.get().contentType(),
                    part.get().body().readAllBytes()));
        }
        return parts;
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static Stream<Arguments> sizesAndChunks() {
        int[] sizes = {0, 1, 2, BOUNDARY.length(), BOUNDARY.length() + 4, 8191, 65535, 65536, 65537, 200_003};
        int[] chunks = {1, 3, 7, 64, 1000, 70_000};
        return IntStream.range(0, sizes.length).boxed()
                .flatMap(i -> IntStream.of(chunks).mapToObj(chunk -> Arguments.of(sizes[i], chunk)));
    }

    @ParameterizedTest(name = "{0} bytes, reads of at most {1}")
    @MethodSource("sizesAndChunks")
    void fileBodiesSurviveAnyReadSplit(int size, int maxChunk) throws IOException {
        byte[] file = randomBytes(size, size * 31L + maxChunk);
        byte[] body = encode(List.of(
                new MultipartBody.Part("note", null, null, "hello".getBytes(StandardCharsets.UTF_8)),
                new MultipartBody.Part("file", "photo.bin", "application/octet-stream", file),
                new MultipartBody.Part("after", null, null, "bye".getBytes(StandardCharsets.UTF_8))));

        List<ReadPart> parts = readAll(new ChoppyStream(body, size, maxChunk), BOUNDARY, Long.MAX_VALUE);

        assertThat(parts).extracting(ReadPart::name).containsExactly("note", "file", "after");
        assertThat(parts.get(0).body()).asString().isEqualTo("hello");
        assertThat(parts.get(1).fileName()).contains("photo.bin");
        assertThat(parts.get(1).contentType()).contains("application/octet-stream");
        assertThat(parts.get(1).body()).isEqualTo(file);
        assertThat(parts.get(2).body()).asString().isEqualTo("bye");
    }

    @ParameterizedTest(name = "{0} bytes, reads of at most {1}")
    @MethodSource("sizesAndChunks")
    void transferToGivesTheSameBytes(int size, int maxChunk) throws IOException {
        byte[] file = randomBytes(size, size * 17L + maxChunk);
        byte[] body = encode(List.of(new MultipartBody.Part("file", "f.bin", null, file),
                new MultipartBody.Part("after", null, null, "x".getBytes(StandardCharsets.UTF_8))));
        MultipartReader reader = new MultipartReader(new ChoppyStream(body, size, maxChunk), BOUNDARY, Long.MAX_VALUE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(reader.next().orElseThrow().body().transferTo(out)).isEqualTo(size);
        assertThat(out.toByteArray()).isEqualTo(file);
        assertThat(reader.next().orElseThrow().body().readAllBytes()).asString().isEqualTo("x");
        assertThat(reader.next()).isEmpty();
    }

    @Test
    void transferToStopsAtTheLimitToo() {
        byte[] body = encode(List.of(new MultipartBody.Part("file", "big.bin", null, randomBytes(1_000_000, 8))));
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(body), BOUNDARY, 500_000).next().orElseThrow()
                .body().transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(MultipartReader.PartTooLargeException.class);
    }

    @Test
    void nearBoundariesInsideTheBodyAreContent() throws IOException {
        String tricky = "\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1) + "\r\n"   // one char short
                + "x--" + BOUNDARY + "\r\n"                                                // no CR LF right before it
                + "\r\n-" + BOUNDARY + "\r\n"                                              // one dash
                + "\r\r\n\r\n--" + BOUNDARY.substring(0, 10)                               // cut short at the end
                + "\r";
        byte[] file = tricky.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 5, 1000}) {
            List<ReadPart> parts = readAll(new ChoppyStream(encode(List.of(new MultipartBody.Part("file", "t.txt", null, file))), chunk, chunk),
                    BOUNDARY, Long.MAX_VALUE);
            assertThat(parts).hasSize(1);
            assertThat(parts.get(0).body()).as("chunk " + chunk).isEqualTo(file);
        }
    }

    @Test
    void preambleEpilogueAndTransportPaddingAreIgnored() throws IOException {
        byte[] file = "content".getBytes(StandardCharsets.UTF_8);
        String body = "This is the preamble.\r\n--" + BOUNDARY + " \t\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
                + "content\r\n--" + BOUNDARY + "--\r\nThis is the epilogue, it can be anything.\r\n--" + BOUNDARY + "\r\n";
        List<ReadPart> parts = readAll(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), BOUNDARY, 1000);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).body()).isEqualTo(file);
    }

    @Test
    void emptyFileAndUnicodeFileNames() throws IOException {
        String body = "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"caf\u00e9 \\\"x\\\".txt\"\r\n\r\n"
                + "\r\n--" + BOUNDARY + "\r\n"
                + "content-disposition: form-data; name=file; filename=\"ascii.txt\"; filename*=UTF-8''%E2%82%AC%20rate.txt\r\n\r\n"
                + "x\r\n--" + BOUNDARY + "--";
        List<ReadPart> parts = readAll(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), BOUNDARY, 1000);
        assertThat(parts.get(0).fileName()).contains("caf\u00e9 \"x\".txt");
        assertThat(parts.get(0).body()).isEmpty();
        assertThat(parts.get(1).name()).isEqualTo("file");
        assertThat(parts.get(1).fileName()).contains("\u20ac rate.txt");
    }

    @Test
    void unreadPartsAreSkipped() throws IOException {
        byte[] body = encode(List.of(new MultipartBody.Part("skip", null, null, randomBytes(100_000, 1)),
                new MultipartBody.Part("file", "f", null, "kept".getBytes(StandardCharsets.UTF_8))));
        MultipartReader reader = new MultipartReader(new ChoppyStream(body, 9, 5000), BOUNDARY, Long.MAX_VALUE);
        assertThat(reader.next()).get().extracting(MultipartReader.Part::name).isEqualTo("skip");
        MultipartReader.Part file = reader.next().orElseThrow();
        assertThat(file.body().readAllBytes()).asString().isEqualTo("kept");
        assertThat(reader.next()).isEmpty();
    }

    static Stream<Arguments> malformedBodies() {
        String part = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc";
        return Stream.of(
                Arguments.of("no closing boundary", part),
                Arguments.of("closing boundary cut short", part + "\r\n--" + BOUNDARY.substring(0, 5)),
                Arguments.of("body ends inside the headers", "--" + BOUNDARY + "\r\nContent-Disposition: form-da"),
                Arguments.of("no boundary at all", "just some bytes that are not multipart"),
                Arguments.of("empty body", ""),
                Arguments.of("garbage after a boundary", "--" + BOUNDARY + "garbage\r\n\r\nabc\r\n--" + BOUNDARY + "--"),
                Arguments.of("header line without a colon", "--" + BOUNDARY + "\r\nnot a header\r\n\r\nabc\r\n--" + BOUNDARY + "--"),
                Arguments.of("body ends right after a boundary", "--" + BOUNDARY),
                Arguments.of("header section too large", "--" + BOUNDARY + "\r\nX-Big: " + "a".repeat(MultipartReader.MAX_HEADER_BYTES)
                        + "\r\n\r\nabc\r\n--" + BOUNDARY + "--"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void malformedBodiesAreRefused(String description, String body) {
        assertThatThrownBy(() -> readAll(new ChoppyStream(body.getBytes(StandardCharsets.UTF_8), 3, 4), BOUNDARY, 1_000_000))
                .isInstanceOf(MultipartReader.MalformedMultipartException.class);
    }

    @Test
    void aPartOverTheLimitFailsAsSoonAsItCrossesIt() {
        int limit = 100_000;
        byte[] body = encode(List.of(new MultipartBody.Part("file", "big.bin", null, randomBytes(5_000_000, 3))));
        ChoppyStream stream = new ChoppyStream(body, 5, 16_384);
        assertThatThrownBy(() -> readAll(stream, BOUNDARY, limit))
                .isInstanceOf(MultipartReader.PartTooLargeException.class);
        assertThat(stream.delivered).as("stopped reading near the limit, not at the end of the body")
                .isLessThan(limit + 2L * MultipartReader.BUFFER_SIZE);
    }

    @Test
    void aPartExactlyAtTheLimitIsAccepted() throws IOException {
        byte[] file = randomBytes(100_000, 4);
        List<ReadPart> parts = readAll(new ChoppyStream(encode(List.of(new MultipartBody.Part("file", "f", null, file))), 6, 9000),
                BOUNDARY, file.length);
        assertThat(parts.get(0).body()).isEqualTo(file);
    }

    @Test
    void lineFeedOnlyHeadersAreTolerated() throws IOException {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"\nContent-Type: text/plain\n\nabc\r\n--"
                + BOUNDARY + "--";
        List<ReadPart> parts = readAll(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), BOUNDARY, 100);
        assertThat(parts.get(0).contentType()).contains("text/plain");
        assertThat(parts.get(0).body()).asString().isEqualTo("abc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"multipart/form-data; boundary=abc", "Multipart/Form-Data;BOUNDARY=abc",
            "multipart/form-data; charset=utf-8; boundary=\"abc\"", "multipart/form-data; boundary=abc; other=1"})
    void boundaryIsReadFromTheContentType(String contentType) {
        assertThat(MultipartReader.boundaryOf(contentType)).contains("abc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "multipart/form-data", "multipart/mixed; boundary=abc",
            "multipart/form-data; boundary=", "text/plain; boundary=abc"})
    void contentTypesWithoutAFormBoundaryAreNotMultipart(String contentType) {
        assertThat(MultipartReader.boundaryOf(contentType)).isEmpty();
    }

    // What a form needs beyond streaming one file: text fields, per-part limits, spooling, a total limit.

    @Test
    void textFieldsAndAFileInOneForm() throws IOException {
        byte[] file = randomBytes(300_000, 11);
        byte[] body = encode(List.of(new MultipartBody.Part("file", "data.csv", "text/csv", file),
                new MultipartBody.Part("table", null, null, "caf\u00e9".getBytes(StandardCharsets.UTF_8)),
                new MultipartBody.Part("empty", null, null, new byte[0])));
        MultipartReader reader = new MultipartReader(new ChoppyStream(body, 12, 7000), BOUNDARY, Long.MAX_VALUE);

        try (MultipartReader.SpooledFile spooled = reader.next().orElseThrow().spool("reader-test")) {
            assertThat(spooled.size()).isEqualTo(file.length);
            assertThat(Files.readAllBytes(spooled.path())).isEqualTo(file);
            assertThat(reader.next().orElseThrow().text(100)).isEqualTo("caf\u00e9");
            assertThat(reader.next().orElseThrow().text(100)).isEmpty();
            assertThat(reader.next()).isEmpty();
            spooled.close();
            assertThat(Files.exists(spooled.path())).isFalse();
        }
    }

    @Test
    void aTextFieldOverItsOwnLimitIsRefusedWithThatLimit() {
        byte[] body = encode(List.of(new MultipartBody.Part("note", null, null, "x".repeat(101).getBytes(StandardCharsets.UTF_8))));
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(body), BOUNDARY, 1_000_000).next().orElseThrow().text(100))
                .isInstanceOfSatisfying(MultipartReader.PartTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(100));
        assertThat(MultipartReader.PartTooLargeException.class).isAssignableTo(MultipartReader.TooLargeException.class);
    }

    @Test
    void aTextFieldExactlyAtItsLimitIsAccepted() throws IOException {
        byte[] body = encode(List.of(new MultipartBody.Part("note", null, null, "x".repeat(100).getBytes(StandardCharsets.UTF_8))));
        assertThat(new MultipartReader(new ByteArrayInputStream(body), BOUNDARY, 1_000_000).next().orElseThrow().text(100)).hasSize(100);
    }

    @Test
    void aPartLimitOnlyEverLowersTheReadersLimit() {
        byte[] body = encode(List.of(new MultipartBody.Part("file", "f", null, randomBytes(2_000, 5))));
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(body), BOUNDARY, 1_000).next().orElseThrow()
                .limit(5_000).body().readAllBytes())
                .isInstanceOfSatisfying(MultipartReader.PartTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(1_000));
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(body), BOUNDARY, Long.MAX_VALUE).next().orElseThrow()
                .limit(1_500).spool("reader-test"))
                .isInstanceOfSatisfying(MultipartReader.PartTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(1_500));
    }

    @Test
    void aFailedSpoolLeavesNoFile() throws IOException {
        byte[] body = encode(List.of(new MultipartBody.Part("file", "f", null, randomBytes(50_000, 6))));
        long before = countSpools();
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(body), BOUNDARY, 10_000).next().orElseThrow()
                .spool("anvil-failed-spool"))
                .isInstanceOf(MultipartReader.PartTooLargeException.class);
        assertThat(countSpools()).isEqualTo(before);
    }

    private static long countSpools() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("anvil-failed-spool")).count();
        }
    }

    @Test
    void theWholeBodyHasItsOwnLimitCountedOnTheWire() {
        // Many parts, each well under the part limit, add up to more than the body may be.
        List<MultipartBody.Part> parts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            parts.add(new MultipartBody.Part("field" + i, null, null, randomBytes(10_000, i)));
        }
        byte[] body = encode(parts);
        ChoppyStream stream = new ChoppyStream(body, 7, 3000);
        assertThatThrownBy(() -> readAll(stream, BOUNDARY, 20_000, 200_000))
                .isInstanceOfSatisfying(MultipartReader.BodyTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(200_000));
        assertThat(stream.delivered).as("stopped at the limit, not at the end").isLessThanOrEqualTo(200_000 + 3000);
    }

    @Test
    void aBodyExactlyAtTheTotalLimitIsAccepted() throws IOException {
        byte[] body = encode(List.of(new MultipartBody.Part("file", "f", null, randomBytes(5_000, 9))));
        assertThat(readAll(new ChoppyStream(body, 8, 100), BOUNDARY, Long.MAX_VALUE, body.length)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"multipart/form-data", "Multipart/Form-Data; charset=utf-8", "multipart/form-data; boundary="})
    void formDataWithoutAUsableBoundaryIsStillFormData(String contentType) {
        assertThat(MultipartReader.isFormData(contentType)).isTrue();
        assertThat(MultipartReader.boundaryOf(contentType)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "multipart/mixed; boundary=abc", "text/plain"})
    void otherContentTypesAreNotFormData(String contentType) {
        assertThat(MultipartReader.isFormData(contentType)).isFalse();
    }
}
