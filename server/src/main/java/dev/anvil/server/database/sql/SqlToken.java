package dev.anvil.server.database.sql;

/**
 * One lexical token of Postgres SQL. Comments and whitespace produce no tokens, so a keyword hidden
 * in a comment or a string literal can never look like code.
 *
 * @param type  what kind of token it is
 * @param value for {@link Type#WORD} the word in lower case (Postgres folds unquoted identifiers and
 *              keywords to lower case); for {@link Type#QUOTED_IDENTIFIER} and {@link Type#STRING} the
 *              decoded content (escapes resolved, as Postgres would see it); for
 *              {@link Type#PARAMETER} the parameter number; otherwise the source text
 * @param start offset of the token's first character in the source text
 * @param end   offset just past the token's last character
 */
public record SqlToken(Type type, String value, int start, int end) {

    public enum Type {
        /** An unquoted identifier or keyword. */
        WORD,
        /** {@code "Name"} or {@code U&"…"}. */
        QUOTED_IDENTIFIER,
        /** Any string constant: {@code '…'}, {@code E'…'}, {@code $tag$…$tag$}, {@code U&'…'}, {@code B'…'}, {@code X'…'}. */
        STRING,
        NUMBER,
        /** A positional parameter such as {@code $1}. */
        PARAMETER,
        /** One operator character ({@code + - * / < > = ~ ! @ # % ^ & | ` ? :}). */
        OPERATOR,
        OPEN_PAREN,
        CLOSE_PAREN,
        SEMICOLON,
        COMMA,
        DOT,
        /** Anything else ({@code [ ] \ { }} or a lone {@code $}); Postgres rejects most of these. */
        OTHER
    }

    public boolean isWord(String lowerCaseWord) {
        return type == Type.WORD && value.equals(lowerCaseWord);
    }

    public boolean isIdentifier() {
        return type == Type.WORD || type == Type.QUOTED_IDENTIFIER;
    }

    /**
     * The name this token spells when Postgres looks it up case-insensitively (settings, for example):
     * words are already lower case, quoted identifiers are folded too.
     */
    public String foldedName() {
        return type == Type.QUOTED_IDENTIFIER ? SqlLexer.asciiLowerCase(value) : value;
    }
}
