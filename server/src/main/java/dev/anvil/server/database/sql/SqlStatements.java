package dev.anvil.server.database.sql;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.database.sql.SqlToken.Type;

/**
 * SQL text cut into statements at every semicolon outside strings, comments and quoted identifiers
 * — except inside the {@code BEGIN ATOMIC … END} body of {@code CREATE FUNCTION/PROCEDURE}, whose
 * semicolons belong to the function (Postgres and psql treat them the same way). Statements with
 * no tokens (stray semicolons, comments only) are dropped.
 */
public final class SqlStatements {

    private SqlStatements() {
    }

    /** One statement's tokens, without the terminating semicolon. */
    public record Statement(List<SqlToken> tokens) {

        /** The statement's {@code index}-th token, or null past the end. */
        public SqlToken token(int index) {
            return index < tokens.size() ? tokens.get(index) : null;
        }

        /** True when the statement starts with these words (lower case), in order. */
        public boolean startsWith(String... words) {
            for (int i = 0; i < words.length; i++) {
                SqlToken token = token(i);
                if (token == null || !token.isWord(words[i])) {
                    return false;
                }
            }
            return true;
        }

        /** The first word, lower case; empty when the statement starts with something else. */
        public String keyword() {
            SqlToken first = token(0);
            return first != null && first.type() == Type.WORD ? first.value() : "";
        }

        /** {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE}: the statements that may carry a {@code BEGIN ATOMIC} body. */
        public boolean definesRoutine() {
            int kind = startsWith("create", "or", "replace") ? 3 : startsWith("create") ? 1 : -1;
            SqlToken token = kind < 0 ? null : token(kind);
            return token != null && (token.isWord("function") || token.isWord("procedure"));
        }

        /**
         * The statements inside a {@code BEGIN ATOMIC … END} body, each without its semicolon; empty
         * when the statement has no such body.
         */
        public List<Statement> atomicBody() {
            if (!definesRoutine()) {
                return List.of();
            }
            for (int i = 0; i + 1 < tokens.size(); i++) {
                if (tokens.get(i).isWord("begin") && tokens.get(i + 1).isWord("atomic")) {
                    int end = tokens.size();
                    if (end > i + 2 && tokens.get(end - 1).isWord("end")) {
                        end--;
                    }
                    return cut(tokens.subList(i + 2, end), false);
                }
            }
            return List.of();
        }
    }

    public static List<Statement> split(List<SqlToken> tokens) {
        return cut(tokens, true);
    }

    public static List<Statement> parse(String sql) throws SqlSyntaxException {
        return split(SqlLexer.tokenize(sql));
    }

    private static List<Statement> cut(List<SqlToken> tokens, boolean trackAtomicBodies) {
        List<Statement> statements = new ArrayList<>();
        List<SqlToken> current = new ArrayList<>();
        int atomicDepth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken token = tokens.get(i);
            if (token.type() == Type.SEMICOLON && atomicDepth == 0) {
                finish(statements, current);
                current = new ArrayList<>();
                continue;
            }
            if (trackAtomicBodies) {
                atomicDepth = nextAtomicDepth(atomicDepth, current, token, i + 1 < tokens.size() ? tokens.get(i + 1) : null);
            }
            current.add(token);
        }
        finish(statements, current);
        return statements;
    }

    /**
     * Inside a routine definition, {@code BEGIN ATOMIC} opens a body that the matching {@code END}
     * closes; {@code CASE … END} pairs nest inside it (psql counts the same way).
     */
    private static int nextAtomicDepth(int depth, List<SqlToken> statementSoFar, SqlToken token, SqlToken next) {
        if (depth == 0) {
            boolean opensBody = token.isWord("begin") && next != null && next.isWord("atomic")
                    && new Statement(statementSoFar).definesRoutine();
            return opensBody ? 1 : 0;
        }
        if (token.isWord("case")) {
            return depth + 1;
        }
        if (token.isWord("end")) {
            return depth - 1;
        }
        return depth;
    }

    private static void finish(List<Statement> statements, List<SqlToken> current) {
        if (!current.isEmpty()) {
            statements.add(new Statement(List.copyOf(current)));
        }
    }
}
