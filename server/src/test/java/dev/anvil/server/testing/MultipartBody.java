package dev.anvil.server.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds multipart/form-data bodies byte by byte, as clients send them (or get them wrong). */
public record MultipartBody(String contentType, byte[] bytes) {

    public static final String BOUNDARY = "----AnvilBoundary7MA4YWxkTrZu0gW";

    /** One part to encode; {@code fileName} and {@code contentType} may be null. */
    public record Part(String name, String fileName, String contentType, byte[] body) {
    }

    /** The usual upload: one field {@code file}. */
    public static MultipartBody file(byte[] content, String fileName, String contentType) {
        return of(List.of(new Part("file", fileName, contentType, content)));
    }

    public static MultipartBody of(List<Part> parts) {
        return new MultipartBody("multipart/form-data; boundary=" + BOUNDARY, encode(BOUNDARY, parts, "", ""));
    }

    public static byte[] encode(String boundary, List<Part> parts, String preamble, String epilogue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(preamble.getBytes(StandardCharsets.UTF_8));
        for (Part part : parts) {
            out.writeBytes(("--" + boundary + "\r\n").getBytes(StandardCharsets.UTF_8));
            String disposition = "Content-Disposition: form-data; name=\"" + part.name() + "\""
                    + (part.fileName() == null ? "" : "; filename=\"" + part.fileName() + "\"");
            out.writeBytes((disposition + "\r\n").getBytes(StandardCharsets.UTF_8));
            if (part.contentType() != null) {
                out.writeBytes(("Content-Type: " + part.contentType() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(part.body());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n" + epilogue).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
