package dev.anvil.server.database.rawsql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.sql.SqlStatements.Statement;
import dev.anvil.server.database.sql.SqlToken;

/**
 * An imported SQL file cut into statements, each passed by the same guard as raw SQL, with what the
 * import reports and needs: the text of each statement (cut where Postgres would cut it, so a
 * {@code BEGIN ATOMIC} body stays whole), which statements are INSERTs, the tables the file creates
 * or inserts into (in the order it first names them), and whether it changes the schema.
 */
record SqlScript(List<String> statements, List<Boolean> inserts, List<Table> tables, boolean changesSchema) {

    /** A table the script names; {@code schema} is {@code public} when it names none. */
    record Table(String schema, String name) {

        /** How the response lists it: bare in {@code public}, qualified elsewhere. */
        String display() {
            return schema.equals("public") ? name : schema + "." + name;
        }

        String qualified() {
            return Identifiers.qualified(schema, name);
        }
    }

    static SqlScript parse(String sql) {
        List<SqlToken> tokens = RawSqlPlan.tokens("file", sql);
        List<Statement> statements = RawSqlPlan.permittedStatements("file", tokens);
        List<String> texts = new ArrayList<>(statements.size());
        List<Boolean> inserts = new ArrayList<>(statements.size());
        Set<Table> tables = new LinkedHashSet<>();
        boolean changesSchema = false;
        for (Statement statement : statements) {
            texts.add(sql.substring(statement.tokens().getFirst().start(), statement.tokens().getLast().end()));
            boolean insert = statement.startsWith("insert", "into");
            inserts.add(insert);
            changesSchema |= RawSqlPlan.changesSchema(statement);
            (insert ? tableAt(statement, 2) : createdTable(statement)).ifPresent(tables::add);
        }
        return new SqlScript(List.copyOf(texts), List.copyOf(inserts), List.copyOf(tables), changesSchema);
    }

    /** {@code CREATE [UNLOGGED] TABLE [IF NOT EXISTS] name}; temporary tables vanish with the transaction and are left out. */
    private static Optional<Table> createdTable(Statement statement) {
        int index = statement.startsWith("create", "unlogged") ? 2 : 1;
        if (!statement.startsWith("create") || statement.token(index) == null || !statement.token(index).isWord("table")) {
            return Optional.empty();
        }
        index++;
        if (statement.token(index) != null && statement.token(index).isWord("if")) {
            index += 3;
        }
        return tableAt(statement, index);
    }

    /** {@code name} or {@code schema.name} starting at the token {@code index}. */
    private static Optional<Table> tableAt(Statement statement, int index) {
        SqlToken first = statement.token(index);
        if (first == null || !first.isIdentifier()) {
            return Optional.empty();
        }
        SqlToken dot = statement.token(index + 1);
        SqlToken second = statement.token(index + 2);
        if (dot != null && dot.type() == SqlToken.Type.DOT && second != null && second.isIdentifier()) {
            return Optional.of(new Table(first.value(), second.value()));
        }
        return Optional.of(new Table("public", first.value()));
    }
}
