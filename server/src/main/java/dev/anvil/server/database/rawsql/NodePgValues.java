package dev.anvil.server.database.rawsql;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.anvil.server.http.Json;

/**
 * Turns Postgres' text output of a value into the JSON InsForge's raw-SQL endpoint returns, which is
 * whatever node-pg's default type parsers make of it: {@code int2/int4/oid} and {@code float4/float8}
 * become numbers (NaN and infinities {@code null}, as {@code JSON.stringify} writes them), {@code bool}
 * a boolean, {@code json/jsonb} parsed JSON, {@code date/timestamp/timestamptz} an ISO-8601 instant
 * with milliseconds ({@code date} as UTC midnight), arrays JSON arrays of their converted elements;
 * {@code int8} and {@code numeric} stay strings (they may not fit a JavaScript number), and so does
 * everything else — {@code bytea} as its {@code \x…} hex text, {@code uuid}, {@code interval}, enums.
 */
final class NodePgValues {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** DateStyle ISO output of timestamp/timestamptz: {@code 2024-05-01 12:30:00.123456+02:30}. */
    private static final Pattern TIMESTAMP = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(?:([+-])(\\d{2})(?::?(\\d{2}))?(?::?(\\d{2}))?)?");

    private enum Kind { BOOLEAN, INTEGER, FLOAT, JSON, DATE, TIMESTAMP, TEXT }

    private NodePgValues() {
    }

    /**
     * @param text           the value as Postgres prints it, or null for SQL NULL
     * @param typeOid        the column's type
     * @param arrayElementOf the element type of an array type, 0 for a type that is not an array
     */
    static JsonNode toJson(String text, int typeOid, IntUnaryOperator arrayElementOf) {
        if (text == null) {
            return NODES.nullNode();
        }
        int elementOid = arrayElementOf.applyAsInt(typeOid);
        if (elementOid != 0 && (text.startsWith("{") || text.startsWith("["))) {
            Kind elementKind = kindOf(elementOid);
            try {
                return toJsonArray(PgArrayLiteral.parse(text), elementKind);
            } catch (IllegalArgumentException notAnArrayLiteral) {
                return NODES.textNode(text);
            }
        }
        return scalar(text, kindOf(typeOid));
    }

    private static Kind kindOf(int oid) {
        return switch (oid) {
            case 16 -> Kind.BOOLEAN;
            case 21, 23, 26 -> Kind.INTEGER;
            case 700, 701 -> Kind.FLOAT;
            case 114, 3802 -> Kind.JSON;
            case 1082 -> Kind.DATE;
            case 1114, 1184 -> Kind.TIMESTAMP;
            default -> Kind.TEXT;
        };
    }

    private static ArrayNode toJsonArray(List<Object> elements, Kind kind) {
        ArrayNode array = NODES.arrayNode(elements.size());
        for (Object element : elements) {
            if (element instanceof List<?> nested) {
                @SuppressWarnings("unchecked")
                List<Object> inner = (List<Object>) nested;
                array.add(toJsonArray(inner, kind));
            } else {
                array.add(element == null ? NODES.nullNode() : scalar((String) element, kind));
            }
        }
        return array;
    }

    private static JsonNode scalar(String text, Kind kind) {
        try {
            return switch (kind) {
                case BOOLEAN -> NODES.booleanNode(text.equals("t") || text.equals("true"));
                case INTEGER -> NODES.numberNode(Long.parseLong(text));
                case FLOAT -> {
                    double value = Double.parseDouble(text);
                    yield Double.isFinite(value) ? NODES.numberNode(value) : NODES.nullNode();
                }
                case JSON -> parseJson(text);
                case DATE -> NODES.textNode(date(text));
                case TIMESTAMP -> NODES.textNode(timestamp(text));
                case TEXT -> NODES.textNode(text);
            };
        } catch (RuntimeException unexpectedFormat) {
            // infinity, BC dates, a DateStyle changed by the query…: the text itself is still useful.
            return NODES.textNode(text);
        }
    }

    private static JsonNode parseJson(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            return NODES.textNode(text);
        }
    }

    private static String date(String text) {
        return ISO_MILLIS.format(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static String timestamp(String text) {
        Matcher m = TIMESTAMP.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an ISO timestamp: " + text);
        }
        String fraction = m.group(7) == null ? "0" : (m.group(7) + "000000000").substring(0, 9);
        LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)), Integer.parseInt(fraction));
        int offsetSeconds = 0;
        if (m.group(8) != null) {
            offsetSeconds = Integer.parseInt(m.group(9)) * 3600
                    + (m.group(10) == null ? 0 : Integer.parseInt(m.group(10)) * 60)
                    + (m.group(11) == null ? 0 : Integer.parseInt(m.group(11)));
            if (m.group(8).equals("-")) {
                offsetSeconds = -offsetSeconds;
            }
        }
        Instant instant = local.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds)).truncatedTo(ChronoUnit.MILLIS);
        return ISO_MILLIS.format(instant);
    }

    /** Postgres' array output: {@code {1,2}}, {@code {{a,b},{c,NULL}}}, {@code {"x y","a\"b"}}, {@code [0:1]={…}}. */
    static final class PgArrayLiteral {

        private final String text;
        private int pos;

        private PgArrayLiteral(String text) {
            this.text = text;
        }

        static List<Object> parse(String text) {
            PgArrayLiteral parser = new PgArrayLiteral(text);
            if (text.startsWith("[")) {
                int equals = text.indexOf('=');
                if (equals < 0) {
                    throw new IllegalArgumentException("array bounds without '='");
                }
                parser.pos = equals + 1;
            }
            List<Object> result = parser.array();
            parser.skipSpaces();
            if (parser.pos != text.length()) {
                throw new IllegalArgumentException("trailing characters after array");
            }
            return result;
        }

        private List<Object> array() {
            expect('{');
            List<Object> elements = new ArrayList<>();
            skipSpaces();
            if (peek() == '}') {
                pos++;
                return elements;
            }
            while (true) {
                skipSpaces();
                char c = peek();
                if (c == '{') {
                    elements.add(array());
                } else if (c == '"') {
                    elements.add(quoted());
                } else {
                    elements.add(unquoted());
                }
                skipSpaces();
                char separator = next();
                if (separator == '}') {
                    return elements;
                }
                if (separator != ',') {
                    throw new IllegalArgumentException("expected ',' or '}' in array");
                }
            }
        }

        private String quoted() {
            pos++;
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '\\') {
                    value.append(next());
                } else if (c == '"') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
        }

        private String unquoted() {
            int start = pos;
            while (pos < text.length() && text.charAt(pos) != ',' && text.charAt(pos) != '}') {
                pos++;
            }
            String value = text.substring(start, pos).strip();
            return value.equalsIgnoreCase("NULL") ? null : value;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("expected '" + c + "' in array");
            }
        }

        private char peek() {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("unexpected end of array");
            }
            return text.charAt(pos);
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
