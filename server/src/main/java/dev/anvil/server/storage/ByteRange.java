package dev.anvil.server.storage;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single byte range from a {@code Range} header ({@code bytes=first-last}, {@code bytes=first-},
 * {@code bytes=-suffix}). Anything else — other units, several ranges, garbage — is ignored and the
 * whole object is served, as RFC 9110 allows.
 */
record ByteRange(Long first, Long last, Long suffixLength) {

    private static final Pattern SINGLE = Pattern.compile("bytes=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    static Optional<ByteRange> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            String from = m.group(1);
            String to = m.group(2);
            if (from.isEmpty() && to.isEmpty()) {
                return Optional.empty();
            }
            if (from.isEmpty()) {
                return Optional.of(new ByteRange(null, null, Long.parseLong(to)));
            }
            Long first = Long.parseLong(from);
            Long last = to.isEmpty() ? null : Long.parseLong(to);
            if (last != null && last < first) {
                return Optional.empty();
            }
            return Optional.of(new ByteRange(first, last, null));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The inclusive bytes served for an object of {@code size}; empty when unsatisfiable (416). */
    Optional<Served> resolve(long size) {
        if (suffixLength != null) {
            if (suffixLength == 0 || size == 0) {
                return Optional.empty();
            }
            return Optional.of(new Served(Math.max(0, size - suffixLength), size - 1, size));
        }
        if (first >= size) {
            return Optional.empty();
        }
        long end = last == null ? size - 1 : Math.min(last, size - 1);
        return Optional.of(new Served(first, end, size));
    }

    /** The header again, for providers that resolve ranges themselves (S3). */
    String header() {
        return suffixLength != null ? "bytes=-" + suffixLength : "bytes=" + first + "-" + (last == null ? "" : last);
    }

    /** Bytes {@code start..end} (inclusive) of an object of {@code size} bytes. */
    record Served(long start, long end, long size) {
        long length() {
            return end - start + 1;
        }

        String contentRange() {
            return "bytes " + start + "-" + end + "/" + size;
        }
    }
}
