package dev.anvil.server.database.tables;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.anvil.server.database.sql.SqlLexer;
import dev.anvil.server.database.sql.SqlSyntaxException;
import dev.anvil.server.database.sql.SqlToken;
import dev.anvil.server.database.sql.SqlToken.Type;
import dev.anvil.server.http.ApiException;

/**
 * A column's {@code defaultValue}. InsForge takes it as a literal value, except {@code now()} and
 * {@code gen_random_uuid()}; Anvil accepts a little more, and nothing the user typed is ever spliced
 * into SQL — every form below is re-emitted from its parsed parts:
 * <ul>
 *   <li>{@code now()}, {@code gen_random_uuid()}, {@code clock_timestamp()}, {@code statement_timestamp()},
 *       {@code transaction_timestamp()}, {@code uuid_generate_v4()} (any case);</li>
 *   <li>{@code CURRENT_TIMESTAMP}, {@code CURRENT_DATE}, {@code CURRENT_TIME}, {@code LOCALTIMESTAMP},
 *       {@code LOCALTIME}, {@code TRUE}, {@code FALSE}, {@code NULL};</li>
 *   <li>a number ({@code 0}, {@code -1.5}, {@code 2e3});</li>
 *   <li>one quoted string, optionally cast to a type name: {@code 'active'}, {@code '{}'::jsonb};</li>
 *   <li>anything else is the literal text itself: {@code active} becomes {@code 'active'}, {@code {}}
 *       for a jsonb column becomes {@code '{}'}. Postgres converts it to the column type, and a value
 *       that does not fit is a 400.</li>
 * </ul>
 */
final class ColumnDefault {

    private static final Set<String> FUNCTIONS = Set.of("now", "gen_random_uuid", "clock_timestamp",
            "statement_timestamp", "transaction_timestamp", "uuid_generate_v4");
    private static final Set<String> KEYWORDS = Set.of("current_timestamp", "current_date", "current_time",
            "localtimestamp", "localtime", "true", "false", "null");
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");

    private ColumnDefault() {
    }

    /** The SQL expression for a default value; empty when there is none (absent or blank). */
    static Optional<String> toSql(String defaultValue) {
        if (defaultValue == null || defaultValue.isBlank()) {
            return Optional.empty();
        }
        if (defaultValue.indexOf('\0') >= 0) {
            throw new ApiException(400, "DATABASE_VALIDATION_ERROR", "defaultValue must not contain NUL characters");
        }
        String text = defaultValue.strip();
        if (NUMBER.matcher(text).matches()) {
            return Optional.of(text);
        }
        return expression(text).or(() -> Optional.of(literal(text)));
    }

    /** The default used when a NOT NULL column of these types gives none (as InsForge does). */
    static Optional<String> implicitFor(String sqlType, boolean nullable) {
        if (nullable) {
            return Optional.empty();
        }
        return switch (sqlType) {
            case "UUID" -> Optional.of("gen_random_uuid()");
            case "TIMESTAMPTZ" -> Optional.of("now()");
            default -> Optional.empty();
        };
    }

    /** A string constant for any text, safe whatever standard_conforming_strings says. */
    static String literal(String value) {
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') >= 0 ? "E" + quoted.replace("\\", "\\\\") : quoted;
    }

    private static Optional<String> expression(String text) {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(text);
        } catch (SqlSyntaxException notSql) {
            return Optional.empty();
        }
        if (tokens.size() == 1 && tokens.getFirst().type() == Type.WORD && KEYWORDS.contains(tokens.getFirst().value())) {
            return Optional.of(tokens.getFirst().value().toUpperCase());
        }
        if (tokens.size() == 3 && tokens.get(0).type() == Type.WORD && FUNCTIONS.contains(tokens.get(0).value())
                && tokens.get(1).type() == Type.OPEN_PAREN && tokens.get(2).type() == Type.CLOSE_PAREN) {
            return Optional.of(tokens.get(0).value() + "()");
        }
        if (!tokens.isEmpty() && tokens.getFirst().type() == Type.STRING && text.startsWith("'")) {
            SqlToken string = tokens.getFirst();
            if (tokens.size() == 1) {
                return Optional.of(literal(string.value()));
            }
            if (tokens.size() > 3 && tokens.get(1).value().equals(":") && tokens.get(2).value().equals(":")
                    && tokens.get(1).end() == tokens.get(2).start()) {
                String type = text.substring(tokens.get(2).end()).strip();
                if (ColumnType.looksLikeTypeName(type)) {
                    return Optional.of(literal(string.value()) + "::" + type);
                }
            }
        }
        return Optional.empty();
    }
}
