package dev.anvil.server.database.rawsql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.anvil.server.database.sql.ParameterPlaceholders;
import dev.anvil.server.database.sql.RestrictedStatementGuard;
import dev.anvil.server.database.sql.SqlLexer;
import dev.anvil.server.database.sql.SqlStatements;
import dev.anvil.server.database.sql.SqlStatements.Statement;
import dev.anvil.server.database.sql.SqlSyntaxException;
import dev.anvil.server.database.sql.SqlToken;
import dev.anvil.server.http.ApiException;

/**
 * What a raw-SQL request will run, decided before any connection is opened: the statements (the
 * guard has passed them), the text to send (placeholders rewritten for JDBC, {@code EXPLAIN}
 * prepended), the parameter values in placeholder order, and facts the executor needs — whether it
 * changes the schema, and whether the last statement reports a row count.
 */
record RawSqlPlan(String sql, List<String> parameters, boolean hasParameters, boolean explain,
                  boolean changesSchema, boolean countsRows) {

    static final String RESTRICTED = "Query contains restricted operations";

    /** Statements after which PostgREST must reload its schema cache (InsForge: text matches CREATE|ALTER|DROP). */
    private static final Set<String> SCHEMA_CHANGING = Set.of("create", "alter", "drop", "comment", "grant", "revoke",
            "do", "call", "import", "security", "reassign", "refresh");
    /** Commands whose completion tag carries a row count (node-pg's {@code rowCount}); others report null. */
    private static final Set<String> COUNTED = Set.of("select", "with", "values", "table", "insert", "update", "delete",
            "merge", "copy", "fetch", "move");
    private static final Set<String> READ_ONLY_STARTS = Set.of("select", "with", "values", "table");
    private static final String EXPLAIN_PREFIX = "EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) ";

    static RawSqlPlan of(RawSqlRequest request) {
        String query = request.query();
        List<SqlToken> tokens = tokens("query", query);
        List<Statement> statements = permittedStatements("query", tokens);
        if (request.explain()) {
            requireSingleReadOnlySelect(statements);
        }

        String sql = query;
        List<String> parameters = List.of();
        boolean hasParameters = !request.params().isEmpty();
        if (hasParameters) {
            if (statements.size() > 1) {
                throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "cannot insert multiple commands into a prepared statement",
                        "Send one statement per request when using params, or inline the values.");
            }
            ParameterPlaceholders placeholders = ParameterPlaceholders.rewrite(query, tokens);
            parameters = orderedParameters(placeholders, request);
            sql = placeholders.sql();
        }
        if (request.explain()) {
            sql = EXPLAIN_PREFIX + sql;
        }
        boolean changesSchema = statements.stream().anyMatch(RawSqlPlan::changesSchema);
        boolean countsRows = !request.explain() && COUNTED.contains(leadingWord(statements.getLast()));
        return new RawSqlPlan(sql, parameters, hasParameters, request.explain(), changesSchema, countsRows);
    }

    /** The text's tokens; {@code field} names the input in messages. */
    static List<SqlToken> tokens(String field, String sql) {
        if (sql.indexOf('\0') >= 0) {
            throw ApiException.invalidInput(field + ": must not contain NUL characters");
        }
        try {
            return SqlLexer.tokenize(sql);
        } catch (SqlSyntaxException e) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "syntax error: " + e.getMessage());
        }
    }

    /** The statements, once the guard has passed them all (403 otherwise) and none needs a client-side COPY stream. */
    static List<Statement> permittedStatements(String field, List<SqlToken> tokens) {
        List<Statement> statements = SqlStatements.split(tokens);
        if (statements.isEmpty()) {
            throw ApiException.invalidInput(field + ": contains no SQL statement");
        }
        Optional<String> violation = RestrictedStatementGuard.findViolation(statements);
        if (violation.isPresent()) {
            throw new ApiException(403, "FORBIDDEN", RESTRICTED + ": " + violation.get(),
                    "Run the statement without it, or use POST /api/database/advance/rawsql/unrestricted for owner-level operations.");
        }
        refuseClientCopy(statements);
        return statements;
    }

    private static List<String> orderedParameters(ParameterPlaceholders placeholders, RawSqlRequest request) {
        int supplied = request.params().size();
        int highest = placeholders.highestNumber();
        if (highest > supplied) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "there is no parameter $" + highest,
                    "params has " + supplied + " value(s); $n refers to the n-th.");
        }
        if (supplied > highest) {
            throw ApiException.invalidInput("params: bind message supplies " + supplied
                    + " parameters, but the query requires " + highest);
        }
        List<String> ordered = new ArrayList<>(placeholders.order().size());
        for (int number : placeholders.order()) {
            ordered.add(NodePgParameters.toText(request.params().get(number - 1)));
        }
        return ordered;
    }

    /** {@code COPY … FROM STDIN / TO STDOUT} needs a data stream from or to the client, which JSON over HTTP is not. */
    private static void refuseClientCopy(List<Statement> statements) {
        for (Statement statement : statements) {
            if (leadingWord(statement).equals("copy")
                    && statement.tokens().stream().anyMatch(t -> t.isWord("stdin") || t.isWord("stdout"))) {
                throw new ApiException(400, "INVALID_INPUT", "COPY FROM STDIN and COPY TO STDOUT are not available over HTTP",
                        "Use INSERT … VALUES (many rows per statement) to load rows, and SELECT to read them.");
            }
        }
    }

    /** EXPLAIN ANALYZE executes the query, so only a single query that reads is accepted (and it runs read-only). */
    private static void requireSingleReadOnlySelect(List<Statement> statements) {
        if (statements.size() != 1 || !READ_ONLY_STARTS.contains(leadingWord(statements.getFirst()))) {
            throw ApiException.invalidInput("Only SELECT statements are allowed in EXPLAIN mode.");
        }
    }

    /** DDL, DO and CALL (which may run DDL), and {@code SELECT … INTO}, which creates a table. */
    static boolean changesSchema(Statement statement) {
        String keyword = leadingWord(statement);
        if (SCHEMA_CHANGING.contains(keyword)) {
            return true;
        }
        if (!keyword.equals("select") && !keyword.equals("with")) {
            return false;
        }
        int depth = 0;
        for (SqlToken token : statement.tokens()) {
            if (token.type() == SqlToken.Type.OPEN_PAREN) {
                depth++;
            } else if (token.type() == SqlToken.Type.CLOSE_PAREN) {
                depth--;
            } else if (depth == 0 && token.isWord("into")) {
                return true;
            }
        }
        return false;
    }

    /** The first word of a statement, looking through opening parentheses ({@code (SELECT 1)}). */
    static String leadingWord(Statement statement) {
        for (SqlToken token : statement.tokens()) {
            if (token.type() == SqlToken.Type.OPEN_PAREN) {
                continue;
            }
            return token.type() == SqlToken.Type.WORD ? token.value() : "";
        }
        return "";
    }
}
