package dev.anvil.server.records;

/** Test URLs written as a person reads them, made valid: characters a URI may not hold are percent-encoded. */
final class Urls {

    private Urls() {
    }

    static String of(String path) {
        StringBuilder out = new StringBuilder();
        for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || "<>{}[]\"|\\^`%".indexOf(c) >= 0) {
                out.append('%').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }
}
