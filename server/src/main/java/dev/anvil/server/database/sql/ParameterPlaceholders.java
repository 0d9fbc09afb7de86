package dev.anvil.server.database.sql;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.database.sql.SqlToken.Type;

/**
 * Rewrites Postgres-style {@code $1, $2 …} placeholders (what node-pg and therefore InsForge
 * clients send) into JDBC's {@code ?}, and doubles every literal {@code ?} operator character
 * (jsonb's {@code ?}, {@code ?|}, {@code ?&}) so the driver does not take it for a placeholder.
 * Only tokens are rewritten — a {@code $1} or {@code ?} inside a string or comment stays as it is.
 *
 * @param sql   the JDBC text
 * @param order for each {@code ?} in {@code sql}, the 1-based number of the {@code $n} it replaced
 *              (a parameter may be used several times, and in any order)
 */
public record ParameterPlaceholders(String sql, List<Integer> order) {

    public static ParameterPlaceholders rewrite(String source, List<SqlToken> tokens) {
        StringBuilder out = new StringBuilder(source.length() + 8);
        List<Integer> order = new ArrayList<>();
        int copied = 0;
        for (SqlToken token : tokens) {
            if (token.type() == Type.PARAMETER) {
                out.append(source, copied, token.start()).append('?');
                // An absurd number cannot match a supplied parameter; it is reported as missing.
                order.add(token.value().length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(token.value()));
                copied = token.end();
            } else if (token.type() == Type.OPERATOR && token.value().equals("?")) {
                out.append(source, copied, token.start()).append("??");
                copied = token.end();
            }
        }
        out.append(source, copied, source.length());
        return new ParameterPlaceholders(out.toString(), List.copyOf(order));
    }

    /** The highest {@code $n} the text refers to (0 when it has no placeholders). */
    public int highestNumber() {
        return order.stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
