package dev.anvil.server.database.sql;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.anvil.server.database.sql.SqlStatements.Statement;
import dev.anvil.server.database.sql.SqlToken.Type;

/**
 * Decides whether raw SQL contains a statement the raw-SQL endpoints refuse (contract §3.4):
 * database management, role management, changing the execution role or session authorization,
 * {@code search_path} or {@code statement_timeout}, {@code RESET ALL}, transaction control, and any
 * reference to {@code set_config} (which can change the role too).
 *
 * <p>Why so careful: restricted raw SQL runs in a transaction as {@code project_admin}, but on a
 * connection whose <em>session</em> user is the server's own role, and Postgres lets any code in
 * that session return to it — {@code RESET ROLE}, {@code SET ROLE}, {@code COMMIT} (which ends the
 * {@code SET LOCAL ROLE}), {@code set_config('role', …)}, a function with a {@code SET role} clause,
 * or any of those inside a {@code DO} block or function body. So the guard works on tokens from
 * {@link SqlLexer}, never on raw text: a keyword inside a string literal or a comment is not code,
 * and {@code select 1; set role postgres} is two statements. Function and {@code DO} bodies of
 * language {@code sql} or {@code plpgsql} are scanned as code, and so are string literals handed to
 * {@code EXECUTE} inside them.
 *
 * <p>What it cannot see: dynamic SQL assembled at run time ({@code EXECUTE 'RESE' || 'T ROLE'}).
 * The executor therefore also checks, after the query ran, that the transaction still runs as
 * {@code project_admin}. The guard is a guardrail for agents and dashboards; both raw-SQL
 * endpoints are admin-only, and the unrestricted one runs as the owner anyway.
 */
public final class RestrictedStatementGuard {

    public static final String DATABASE_MANAGEMENT = "creating, altering or dropping databases is not allowed";
    public static final String ROLE_MANAGEMENT = "managing database roles is not allowed";
    public static final String EXECUTION_ROLE = "changing the execution role or session authorization is not allowed";
    public static final String SEARCH_PATH = "changing search_path is not allowed";
    public static final String STATEMENT_TIMEOUT = "changing statement_timeout is not allowed";
    public static final String RESET_ALL = "RESET ALL and DISCARD ALL are not allowed";
    public static final String TRANSACTION_CONTROL = "transaction control statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, …) are not allowed";
    public static final String SET_CONFIG = "set_config() may not be called or referenced";
    public static final String UNVERIFIABLE_BODY = "a function or DO body could not be parsed, so it cannot be verified";

    /** Nesting of bodies inside bodies (a DO block creating a function that EXECUTEs a string…) beyond which we give up. */
    private static final int MAX_BODY_DEPTH = 8;

    /** Languages whose bodies are SQL text we can scan; others (C, PL/Python…) need superuser and are opaque. */
    private static final Set<String> SQL_LANGUAGES = Set.of("sql", "plpgsql");

    /** Words after which a PL/pgSQL body starts a new statement (besides a semicolon). */
    private static final Set<String> BODY_STATEMENT_STARTERS = Set.of("begin", "then", "else", "loop");

    private RestrictedStatementGuard() {
    }

    /** The reason the SQL is refused, or empty when it may run. Text that does not tokenize is a syntax error. */
    public static Optional<String> findViolation(String sql) throws SqlSyntaxException {
        return findViolation(SqlStatements.parse(sql));
    }

    public static Optional<String> findViolation(List<Statement> statements) {
        for (Statement statement : statements) {
            Optional<String> violation = checkStatement(statement, 0, true);
            if (violation.isPresent()) {
                return violation;
            }
        }
        return Optional.empty();
    }

    /**
     * @param topLevel true for statements the server runs directly; false for statements inside a
     *                 function or DO body, where transaction control is legal (procedures may COMMIT)
     */
    private static Optional<String> checkStatement(Statement statement, int depth, boolean topLevel) {
        Optional<String> violation = referencesSetConfig(statement.tokens())
                .or(() -> checkLeadingWords(statement, topLevel));
        if (violation.isPresent()) {
            return violation;
        }
        if (statement.definesRoutine() || isAlterRoutine(statement)) {
            violation = checkRoutineSetClauses(statement);
            if (violation.isPresent()) {
                return violation;
            }
            for (Statement inner : statement.atomicBody()) {
                violation = checkStatement(inner, depth, topLevel);
                if (violation.isPresent()) {
                    return violation;
                }
            }
            if (statement.definesRoutine()) {
                return checkBodies(statement, depth, routineLanguage(statement, "sql"));
            }
        }
        if (statement.startsWith("do")) {
            return checkBodies(statement, depth, routineLanguage(statement, "plpgsql"));
        }
        return Optional.empty();
    }

    /** Any identifier or string spelling {@code set_config}: a call, a qualified name, or an aggregate's {@code sfunc}. */
    private static Optional<String> referencesSetConfig(List<SqlToken> tokens) {
        for (SqlToken token : tokens) {
            boolean candidate = token.isIdentifier() || token.type() == Type.STRING;
            if (candidate) {
                String name = SqlLexer.asciiLowerCase(token.value()).strip();
                if (name.equals("set_config") || name.endsWith(".set_config") || name.endsWith(".\"set_config\"")) {
                    return Optional.of(SET_CONFIG);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> checkLeadingWords(Statement statement, boolean topLevel) {
        String keyword = statement.keyword();
        switch (keyword) {
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" -> {
                return topLevel ? Optional.of(TRANSACTION_CONTROL) : Optional.empty();
            }
            case "prepare" -> {
                return topLevel && isWordAt(statement, 1, "transaction") ? Optional.of(TRANSACTION_CONTROL) : Optional.empty();
            }
            case "create", "alter", "drop" -> {
                return checkObjectKind(statement);
            }
            case "grant", "revoke" -> {
                return grantsRole(statement) ? Optional.of(ROLE_MANAGEMENT) : Optional.empty();
            }
            case "set" -> {
                return checkSet(statement);
            }
            case "reset" -> {
                return checkReset(statement);
            }
            case "discard" -> {
                return isWordAt(statement, 1, "all") ? Optional.of(RESET_ALL) : Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** {@code CREATE/ALTER/DROP DATABASE}, and {@code … ROLE|USER|GROUP} (but not {@code USER MAPPING}). */
    private static Optional<String> checkObjectKind(Statement statement) {
        SqlToken kind = statement.token(1);
        if (kind == null || kind.type() != Type.WORD) {
            return Optional.empty();
        }
        switch (kind.value()) {
            case "database" -> {
                return Optional.of(DATABASE_MANAGEMENT);
            }
            case "role", "group" -> {
                return Optional.of(ROLE_MANAGEMENT);
            }
            case "user" -> {
                boolean userMapping = isWordAt(statement, 2, "mapping")
                        && (isWordAt(statement, 3, "for") || isWordAt(statement, 3, "if"));
                return userMapping ? Optional.empty() : Optional.of(ROLE_MANAGEMENT);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /**
     * {@code GRANT privileges ON object TO role} is fine; {@code GRANT role TO role} (and the
     * matching REVOKE) changes role membership. The privilege form names its object with {@code ON}
     * before {@code TO}/{@code FROM}; the membership form has no {@code ON} there.
     */
    private static boolean grantsRole(Statement statement) {
        int depth = 0;
        for (int i = 1; i < statement.tokens().size(); i++) {
            SqlToken token = statement.tokens().get(i);
            if (token.type() == Type.OPEN_PAREN) {
                depth++;
            } else if (token.type() == Type.CLOSE_PAREN) {
                depth--;
            } else if (depth == 0 && token.isWord("on")) {
                return false;
            } else if (depth == 0 && (token.isWord("to") || token.isWord("from"))) {
                return true;
            }
        }
        return true;
    }

    /** {@code SET [SESSION|LOCAL] name …}, {@code SET [SESSION|LOCAL] SESSION AUTHORIZATION …}, {@code SET ROLE …}, {@code SET SCHEMA …}. */
    private static Optional<String> checkSet(Statement statement) {
        int index = 1;
        if (isWordAt(statement, index, "local") || isWordAt(statement, index, "session")) {
            if (isWordAt(statement, index, "session") && isWordAt(statement, index + 1, "authorization")) {
                return Optional.of(EXECUTION_ROLE);
            }
            index++;
        }
        if (isWordAt(statement, index, "session") && isWordAt(statement, index + 1, "authorization")) {
            return Optional.of(EXECUTION_ROLE);
        }
        return classifySetting(settingName(statement.tokens(), index));
    }

    /** {@code RESET ALL}, {@code RESET ROLE}, {@code RESET SESSION AUTHORIZATION}, {@code RESET name}. */
    private static Optional<String> checkReset(Statement statement) {
        if (isWordAt(statement, 1, "all")) {
            return Optional.of(RESET_ALL);
        }
        if (isWordAt(statement, 1, "session") && isWordAt(statement, 2, "authorization")) {
            return Optional.of(EXECUTION_ROLE);
        }
        return classifySetting(settingName(statement.tokens(), 1));
    }

    private static Optional<String> classifySetting(String name) {
        return switch (name) {
            case "role", "session_authorization" -> Optional.of(EXECUTION_ROLE);
            case "search_path", "schema" -> Optional.of(SEARCH_PATH);
            case "statement_timeout" -> Optional.of(STATEMENT_TIMEOUT);
            default -> Optional.empty();
        };
    }

    /** A (possibly dotted) setting name starting at {@code index}, folded to lower case; empty if none. */
    private static String settingName(List<SqlToken> tokens, int index) {
        StringBuilder name = new StringBuilder();
        int i = index;
        while (i < tokens.size() && tokens.get(i).isIdentifier()) {
            name.append(tokens.get(i).foldedName());
            if (i + 2 < tokens.size() && tokens.get(i + 1).type() == Type.DOT && tokens.get(i + 2).isIdentifier()) {
                name.append('.');
                i += 2;
            } else {
                break;
            }
        }
        return name.toString();
    }

    private static boolean isAlterRoutine(Statement statement) {
        SqlToken kind = statement.token(1);
        return statement.startsWith("alter") && kind != null
                && (kind.isWord("function") || kind.isWord("procedure") || kind.isWord("routine"));
    }

    /**
     * A routine's {@code SET role = …} or {@code SET session_authorization = …} clause runs the
     * routine as that role (tested: it works for a routine created by project_admin). Other
     * settings, such as the recommended {@code SET search_path}, are scoped to the call and fine.
     */
    private static Optional<String> checkRoutineSetClauses(Statement statement) {
        List<SqlToken> tokens = statement.tokens();
        int depth = 0;
        for (int i = 1; i < tokens.size(); i++) {
            SqlToken token = tokens.get(i);
            if (token.type() == Type.OPEN_PAREN) {
                depth++;
            } else if (token.type() == Type.CLOSE_PAREN) {
                depth--;
            } else if (depth == 0 && token.isWord("set")) {
                if (i + 2 < tokens.size() && tokens.get(i + 1).isWord("session") && tokens.get(i + 2).isWord("authorization")) {
                    return Optional.of(EXECUTION_ROLE);
                }
                String name = settingName(tokens, i + 1);
                if (name.equals("role") || name.equals("session_authorization")) {
                    return Optional.of(EXECUTION_ROLE);
                }
            }
        }
        return Optional.empty();
    }

    /** The {@code LANGUAGE} named in a routine or DO statement, lower case, or the default. */
    private static String routineLanguage(Statement statement, String defaultLanguage) {
        List<SqlToken> tokens = statement.tokens();
        for (int i = 0; i + 1 < tokens.size(); i++) {
            SqlToken next = tokens.get(i + 1);
            if (tokens.get(i).isWord("language") && (next.isIdentifier() || next.type() == Type.STRING)) {
                return SqlLexer.asciiLowerCase(next.value());
            }
        }
        return defaultLanguage;
    }

    /**
     * Every string constant of a routine or DO statement may be its body (or the body's parts);
     * in SQL-language statements they are scanned as code. Strings that are not bodies
     * ({@code LANGUAGE 'sql'}, a parameter default) are short and harmless to scan.
     */
    private static Optional<String> checkBodies(Statement statement, int depth, String language) {
        if (!SQL_LANGUAGES.contains(language)) {
            return Optional.empty();
        }
        for (SqlToken token : statement.tokens()) {
            if (token.type() == Type.STRING) {
                Optional<String> violation = checkBody(token.value(), depth + 1);
                if (violation.isPresent()) {
                    return violation;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A body is SQL or PL/pgSQL text: its statements start at the beginning, after a semicolon, or
     * after {@code BEGIN}, {@code THEN}, {@code ELSE} or {@code LOOP}. A string literal passed to
     * {@code EXECUTE} (directly or as {@code format(…)}'s template) is dynamic SQL and is scanned as
     * a body in turn.
     */
    private static Optional<String> checkBody(String body, int depth) {
        if (depth > MAX_BODY_DEPTH) {
            return Optional.of(UNVERIFIABLE_BODY);
        }
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(body);
        } catch (SqlSyntaxException e) {
            return Optional.of(UNVERIFIABLE_BODY);
        }
        Optional<String> violation = referencesSetConfig(tokens);
        if (violation.isPresent()) {
            return violation;
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (startsBodyStatement(tokens, i)) {
                violation = checkStatement(new Statement(statementFrom(tokens, i)), depth, false);
                if (violation.isPresent()) {
                    return violation;
                }
            }
            SqlToken dynamicSql = dynamicSqlLiteral(tokens, i);
            if (dynamicSql != null) {
                violation = checkBody(dynamicSql.value(), depth + 1);
                if (violation.isPresent()) {
                    return violation;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean startsBodyStatement(List<SqlToken> tokens, int index) {
        if (tokens.get(index).type() == Type.SEMICOLON) {
            return false;
        }
        if (index == 0) {
            return true;
        }
        SqlToken previous = tokens.get(index - 1);
        return previous.type() == Type.SEMICOLON
                || (previous.type() == Type.WORD && BODY_STATEMENT_STARTERS.contains(previous.value()));
    }

    private static List<SqlToken> statementFrom(List<SqlToken> tokens, int index) {
        int end = index;
        while (end < tokens.size() && tokens.get(end).type() != Type.SEMICOLON) {
            end++;
        }
        return tokens.subList(index, end);
    }

    /** {@code EXECUTE '…'} or {@code EXECUTE format('…', …)}: the literal that will run as SQL. */
    private static SqlToken dynamicSqlLiteral(List<SqlToken> tokens, int index) {
        if (!tokens.get(index).isWord("execute") || index + 1 >= tokens.size()) {
            return null;
        }
        SqlToken next = tokens.get(index + 1);
        if (next.type() == Type.STRING) {
            return next;
        }
        if (next.isWord("format") && index + 3 < tokens.size() && tokens.get(index + 2).type() == Type.OPEN_PAREN
                && tokens.get(index + 3).type() == Type.STRING) {
            return tokens.get(index + 3);
        }
        return null;
    }

    private static boolean isWordAt(Statement statement, int index, String word) {
        SqlToken token = statement.token(index);
        return token != null && token.isWord(word);
    }
}
