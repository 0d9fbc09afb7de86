package dev.anvil.server.database.sql;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.database.sql.SqlToken.Type;

/**
 * Splits SQL text into tokens exactly where Postgres' own scanner ({@code scan.l}) would, for the
 * parts that decide what is code: comments ({@code --} to the end of the line, nested
 * {@code /* … *}{@code /}), string constants ({@code '…'} with {@code ''}, {@code E'…'} with
 * backslash escapes, {@code $tag$…$tag$}, {@code U&'…'} with {@code UESCAPE}, {@code B'…'},
 * {@code X'…'}, {@code N'…'}), quoted identifiers ({@code "…"}, {@code U&"…"}), words, numbers,
 * {@code $n} parameters and punctuation.
 *
 * <p>Where this scanner and the server could disagree, it errs towards seeing <em>more</em> code:
 * plain strings follow {@code standard_conforming_strings = on} (the default), under which a string
 * ends at the first unpaired quote — with the setting off the server would end it later, never
 * earlier. Only ASCII space, tab, newline, carriage return, form feed and vertical tab are
 * whitespace; any other character at or above U+0080 is part of an identifier, as in Postgres.
 */
public final class SqlLexer {

    private final String sql;
    private final List<SqlToken> tokens = new ArrayList<>();
    private final List<Integer> unicodeTokens = new ArrayList<>();
    private int pos;

    private SqlLexer(String sql) {
        this.sql = sql;
    }

    public static List<SqlToken> tokenize(String sql) throws SqlSyntaxException {
        SqlLexer lexer = new SqlLexer(sql);
        lexer.run();
        lexer.decodeUnicodeTokens();
        return lexer.tokens;
    }

    private void run() throws SqlSyntaxException {
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            char next = charAt(pos + 1);
            if (isWhitespace(c)) {
                pos++;
            } else if (c == '-' && next == '-') {
                skipLineComment();
            } else if (c == '/' && next == '*') {
                skipBlockComment();
            } else if ((c == 'e' || c == 'E') && next == '\'') {
                escapeString();
            } else if ((c == 'n' || c == 'N') && next == '\'') {
                int start = pos;
                pos++;
                standardString(start);
            } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && next == '\'') {
                bitString();
            } else if ((c == 'u' || c == 'U') && next == '&' && (charAt(pos + 2) == '\'' || charAt(pos + 2) == '"')) {
                unicodeEscaped();
            } else if (c == '\'') {
                standardString(pos);
            } else if (c == '"') {
                quotedIdentifier();
            } else if (c == '$') {
                dollar();
            } else if (isIdentifierStart(c)) {
                word();
            } else if (isDigit(c) || (c == '.' && isDigit(next))) {
                number();
            } else {
                punctuation(c);
            }
        }
    }

    private void skipLineComment() {
        while (pos < sql.length() && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
            pos++;
        }
    }

    /** Postgres block comments nest: {@code /* a /* b *}{@code / c *}{@code /} is one comment. */
    private void skipBlockComment() throws SqlSyntaxException {
        int start = pos;
        int depth = 0;
        pos += 2;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            char next = charAt(pos + 1);
            if (c == '/' && next == '*') {
                depth++;
                pos += 2;
            } else if (c == '*' && next == '/') {
                pos += 2;
                if (depth == 0) {
                    return;
                }
                depth--;
            } else {
                pos++;
            }
        }
        throw new SqlSyntaxException("unterminated /* comment", start);
    }

    /** {@code '…'}: a doubled quote stands for one quote; backslashes are ordinary characters. */
    private void standardString(int start) throws SqlSyntaxException {
        String value = delimited('\'', false, "unterminated quoted string", start);
        add(Type.STRING, value, start);
    }

    /** {@code E'…'}: a backslash escapes the next character (so {@code \'} does not end the string). */
    private void escapeString() throws SqlSyntaxException {
        int start = pos;
        pos++;
        String value = delimited('\'', true, "unterminated quoted string", start);
        add(Type.STRING, value, start);
    }

    /** Decodes the escape whose first character (after the backslash) is at {@code at}; returns the next position. */
    private int appendBackslashEscape(StringBuilder value, int at) {
        char c = sql.charAt(at);
        switch (c) {
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'x' -> {
                int end = at + 1;
                while (end < sql.length() && end < at + 3 && isHexDigit(sql.charAt(end))) {
                    end++;
                }
                if (end == at + 1) {
                    value.append('x');
                    return at + 1;
                }
                value.append((char) Integer.parseInt(sql.substring(at + 1, end), 16));
                return end;
            }
            case 'u', 'U' -> {
                int digits = c == 'u' ? 4 : 8;
                int end = at + 1 + digits;
                if (end <= sql.length() && allHex(sql, at + 1, end)) {
                    value.appendCodePoint(Integer.parseInt(sql.substring(at + 1, end), 16));
                    return end;
                }
                value.append(c);
                return at + 1;
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    int end = at;
                    while (end < sql.length() && end < at + 3 && sql.charAt(end) >= '0' && sql.charAt(end) <= '7') {
                        end++;
                    }
                    value.append((char) (Integer.parseInt(sql.substring(at, end), 8) & 0xFF));
                    return end;
                }
                value.append(c);
            }
        }
        return at + 1;
    }

    /** {@code B'…'} and {@code X'…'} end at the first quote: Postgres does not treat {@code ''} as an escape in them. */
    private void bitString() throws SqlSyntaxException {
        int start = pos;
        int close = sql.indexOf('\'', pos + 2);
        if (close < 0) {
            throw new SqlSyntaxException("unterminated bit string literal", start);
        }
        pos = close + 1;
        add(Type.STRING, sql.substring(start + 2, close), start);
    }

    /**
     * {@code U&'…'} or {@code U&"…"}. The escapes are decoded after the whole text is scanned,
     * because a following {@code UESCAPE 'c'} (possibly after comments) names the escape character.
     */
    private void unicodeEscaped() throws SqlSyntaxException {
        int start = pos;
        boolean identifier = sql.charAt(pos + 2) == '"';
        pos += 2;
        String raw = identifier
                ? delimited('"', false, "unterminated quoted identifier", start)
                : delimited('\'', false, "unterminated quoted string", start);
        unicodeTokens.add(tokens.size());
        add(identifier ? Type.QUOTED_IDENTIFIER : Type.STRING, raw, start);
    }

    /** Decodes every {@code U&} token, consuming a {@code UESCAPE 'c'} that follows it. */
    private void decodeUnicodeTokens() throws SqlSyntaxException {
        for (int k = unicodeTokens.size() - 1; k >= 0; k--) {
            int index = unicodeTokens.get(k);
            SqlToken token = tokens.get(index);
            char escape = '\\';
            int end = token.end();
            if (index + 1 < tokens.size() && tokens.get(index + 1).isWord("uescape")) {
                SqlToken escapeLiteral = index + 2 < tokens.size() ? tokens.get(index + 2) : null;
                if (escapeLiteral == null || escapeLiteral.type() != Type.STRING || escapeLiteral.value().length() != 1) {
                    throw new SqlSyntaxException("UESCAPE must be followed by a simple string literal", tokens.get(index + 1).start());
                }
                escape = escapeLiteral.value().charAt(0);
                if (isHexDigit(escape) || escape == '+' || escape == '\'' || escape == '"' || isWhitespace(escape)) {
                    throw new SqlSyntaxException("invalid Unicode escape character", escapeLiteral.start());
                }
                end = escapeLiteral.end();
                tokens.remove(index + 2);
                tokens.remove(index + 1);
            }
            String decoded = decodeUnicodeEscapes(token.value(), escape, token.start());
            if (token.type() == Type.QUOTED_IDENTIFIER && decoded.isEmpty()) {
                throw new SqlSyntaxException("zero-length delimited identifier", token.start());
            }
            tokens.set(index, new SqlToken(token.type(), decoded, token.start(), end));
        }
    }

    /**
     * Reads a literal delimited by {@code quote} (a doubled quote is one quote) starting at the
     * opening quote; with {@code backslashEscapes} a backslash escapes the character after it.
     */
    private String delimited(char quote, boolean backslashEscapes, String unterminated, int start) throws SqlSyntaxException {
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (backslashEscapes && c == '\\' && pos + 1 < sql.length()) {
                pos = appendBackslashEscape(value, pos + 1);
                continue;
            }
            if (c == quote) {
                if (charAt(pos + 1) == quote) {
                    value.append(quote);
                    pos += 2;
                    continue;
                }
                pos++;
                return value.toString();
            }
            value.append(c);
            pos++;
        }
        throw new SqlSyntaxException(unterminated, start);
    }

    private static String decodeUnicodeEscapes(String raw, char escape, int start) throws SqlSyntaxException {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != escape) {
                out.append(c);
                continue;
            }
            if (i + 1 < raw.length() && raw.charAt(i + 1) == escape) {
                out.append(escape);
                i++;
            } else if (i + 7 <= raw.length() && raw.charAt(i + 1) == '+' && allHex(raw, i + 2, i + 8)) {
                out.appendCodePoint(codePoint(raw.substring(i + 2, i + 8), start));
                i += 7;
            } else if (i + 5 <= raw.length() && allHex(raw, i + 1, i + 5)) {
                out.appendCodePoint(codePoint(raw.substring(i + 1, i + 5), start));
                i += 4;
            } else {
                throw new SqlSyntaxException("invalid Unicode escape", start);
            }
        }
        return out.toString();
    }

    private static int codePoint(String hex, int start) throws SqlSyntaxException {
        int value = Integer.parseInt(hex, 16);
        if (value == 0 || value > Character.MAX_CODE_POINT) {
            throw new SqlSyntaxException("invalid Unicode escape value", start);
        }
        return value;
    }

    private void quotedIdentifier() throws SqlSyntaxException {
        int start = pos;
        String value = delimited('"', false, "unterminated quoted identifier", start);
        if (value.isEmpty()) {
            throw new SqlSyntaxException("zero-length delimited identifier", start);
        }
        add(Type.QUOTED_IDENTIFIER, value, start);
    }

    /** {@code $1} is a parameter, {@code $tag$…$tag$} a string, and any other {@code $} a stray character. */
    private void dollar() throws SqlSyntaxException {
        int start = pos;
        if (isDigit(charAt(pos + 1))) {
            int end = pos + 1;
            while (end < sql.length() && isDigit(sql.charAt(end))) {
                end++;
            }
            pos = end;
            add(Type.PARAMETER, sql.substring(start + 1, end), start);
            return;
        }
        int tagEnd = pos + 1;
        if (tagEnd < sql.length() && isDollarTagStart(sql.charAt(tagEnd))) {
            tagEnd++;
            while (tagEnd < sql.length() && isDollarTagPart(sql.charAt(tagEnd))) {
                tagEnd++;
            }
        }
        if (charAt(tagEnd) != '$') {
            pos++;
            add(Type.OTHER, "$", start);
            return;
        }
        String delimiter = sql.substring(start, tagEnd + 1);
        int close = sql.indexOf(delimiter, tagEnd + 1);
        if (close < 0) {
            throw new SqlSyntaxException("unterminated dollar-quoted string", start);
        }
        pos = close + delimiter.length();
        add(Type.STRING, sql.substring(tagEnd + 1, close), start);
    }

    private void word() {
        int start = pos;
        pos++;
        while (pos < sql.length() && isIdentifierPart(sql.charAt(pos))) {
            pos++;
        }
        add(Type.WORD, asciiLowerCase(sql.substring(start, pos)), start);
    }

    private void number() {
        int start = pos;
        pos++;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            char previous = sql.charAt(pos - 1);
            if (isDigit(c) || isAsciiLetter(c) || c == '_' || (c == '.' && charAt(pos + 1) != '.')
                    || ((c == '+' || c == '-') && (previous == 'e' || previous == 'E') && isDigit(charAt(pos + 1)))) {
                pos++;
            } else {
                break;
            }
        }
        add(Type.NUMBER, sql.substring(start, pos), start);
    }

    private void punctuation(char c) {
        int start = pos;
        pos++;
        Type type = switch (c) {
            case '(' -> Type.OPEN_PAREN;
            case ')' -> Type.CLOSE_PAREN;
            case ';' -> Type.SEMICOLON;
            case ',' -> Type.COMMA;
            case '.' -> Type.DOT;
            case '+', '-', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|', '`', '?', ':' -> Type.OPERATOR;
            default -> Type.OTHER;
        };
        add(type, String.valueOf(c), start);
    }

    private void add(Type type, String value, int start) {
        tokens.add(new SqlToken(type, value, start, pos));
    }

    private char charAt(int index) {
        return index < sql.length() ? sql.charAt(index) : '\0';
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    static boolean isIdentifierStart(char c) {
        return isAsciiLetter(c) || c == '_' || c >= 0x80;
    }

    static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDollarTagStart(char c) {
        return isAsciiLetter(c) || c == '_' || c >= 0x80;
    }

    private static boolean isDollarTagPart(char c) {
        return isDollarTagStart(c) || isDigit(c);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean allHex(String s, int from, int to) {
        if (to > s.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isHexDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Postgres folds only ASCII letters when it lower-cases an identifier (in UTF-8 databases). */
    static String asciiLowerCase(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (out == null) {
                    out = new StringBuilder(s);
                }
                out.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return out == null ? s : out.toString();
    }
}
