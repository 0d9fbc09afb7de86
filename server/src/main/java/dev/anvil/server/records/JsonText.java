package dev.anvil.server.records;

/** Minimal JSON writing for the few strings the engine assembles itself on the hot path. */
final class JsonText {

    private JsonText() {
    }

    /** Appends {@code "name":"value"} (with a leading comma unless first); returns false. */
    static boolean member(StringBuilder out, boolean first, String name, String value) {
        if (!first) {
            out.append(',');
        }
        string(out, name);
        out.append(':');
        string(out, value);
        return false;
    }

    static void string(StringBuilder out, String value) {
        out.append('"');
        if (plain(value)) {
            out.append(value).append('"');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
