package dev.anvil.server.database.export;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code sql} export: a script that recreates the chosen tables in an empty database through
 * {@code POST /api/database/advance/import}. Postgres writes every definition and every value itself
 * ({@code pg_get_constraintdef}, {@code pg_get_indexdef}, {@code pg_get_expr}, {@code format_type},
 * {@code quote_nullable}, …), so quoting and escaping are exactly what the server reads back.
 *
 * <p>Order: enum types the columns use (created unless they exist), sequences, tables with their primary-key, unique, check and
 * exclusion constraints, sequence ownership, the rows, sequence positions, foreign keys (after the
 * rows, so rows may come in any order and tables may reference each other), indexes, functions
 * (always those the tables' triggers call), views, row-level security and policies, triggers. Where
 * Postgres allows it cheaply the statements are repeatable ({@code IF NOT EXISTS}, {@code OR
 * REPLACE}, drop-then-add for foreign keys and policies), so the script can also be imported again
 * with {@code truncate=true} to reset the tables' rows.
 */
final class SqlScriptExport {

    /** Rows per INSERT statement. */
    private static final int ROWS_PER_INSERT = 100;

    private final ExportSession session;
    private final ExportRequest request;
    private final StringBuilder out = new StringBuilder();

    SqlScriptExport(ExportSession session, ExportRequest request) {
        this.session = session;
        this.request = request;
    }

    String write(List<ExportSession.Table> tables, String timestamp) throws SQLException {
        out.append("-- Database Export\n-- Generated on: ").append(timestamp).append("\n-- Format: SQL\n-- Include Data: ")
                .append(request.includeData()).append("\n-- Row Limit: ").append(request.rowLimit()).append(" rows per table\n\n");
        Array oids = session.connection().createArrayOf("int8", ExportSession.oids(tables));
        section("Types", session.strings("""
                SELECT format(E'DO $anvil_type$ BEGIN\n  CREATE TYPE %s AS ENUM (%s);\n'
                              'EXCEPTION WHEN duplicate_object THEN NULL;\nEND $anvil_type$;', t.oid::regtype,
                       (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
                FROM pg_type t WHERE t.typtype = 'e' AND t.typnamespace = 'public'::regnamespace
                  AND t.oid IN (SELECT CASE WHEN ty.typcategory = 'A' THEN ty.typelem ELSE ty.oid END
                                FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
                                WHERE a.attrelid = ANY(?::int8[]::oid[]) AND NOT a.attisdropped)
                ORDER BY t.oid""", oids));
        section("Sequences", session.strings(SEQUENCES + """
                SELECT format('CREATE SEQUENCE IF NOT EXISTS %s AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s%s;',
                       s.seqrelid::regclass, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart,
                       s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END)
                FROM pg_sequence s JOIN chosen ON chosen.oid = s.seqrelid ORDER BY s.seqrelid::regclass::text""",
                oids, request.includeSequences()));
        for (ExportSession.Table table : tables) {
            createTable(table);
        }
        section("Sequence ownership", session.strings("""
                SELECT format('ALTER SEQUENCE %s OWNED BY %s.%I;', d.objid::regclass, d.refobjid::regclass, a.attname)
                FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
                  AND d.refobjid = ANY(?::int8[]::oid[]) AND d.refobjsubid > 0
                ORDER BY 1""", oids));
        if (request.includeData()) {
            for (ExportSession.Table table : tables) {
                rows(table);
            }
        }
        section("Sequence positions", session.strings(SEQUENCES + """
                SELECT format('SELECT pg_catalog.setval(%L, %s, true);', format('%I.%I', p.schemaname, p.sequencename), p.last_value)
                FROM pg_sequences p JOIN chosen ON chosen.oid = format('%I.%I', p.schemaname, p.sequencename)::regclass
                WHERE p.last_value IS NOT NULL
                UNION ALL
                SELECT format('SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%L, %L), %s, true);',
                       d.refobjid::regclass, a.attname, p.last_value)
                FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                JOIN pg_class sc ON sc.oid = d.objid
                JOIN pg_sequences p ON p.schemaname = sc.relnamespace::regnamespace::text AND p.sequencename = sc.relname
                WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'i' AND d.refobjid = ANY(?::int8[]::oid[])
                  AND p.last_value IS NOT NULL
                ORDER BY 1""", oids, request.includeSequences(), oids));
        section("Foreign keys", session.strings("""
                SELECT format(E'ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I;\\nALTER TABLE %1$s ADD CONSTRAINT %2$I %s;',
                       c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
                FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY(?::int8[]::oid[])
                ORDER BY c.conrelid::regclass::text, c.conname""", oids));
        section("Indexes", session.strings("""
                SELECT regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE (UNIQUE )?INDEX ', 'CREATE \\1INDEX IF NOT EXISTS ') || ';'
                FROM pg_index i
                WHERE i.indrelid = ANY(?::int8[]::oid[]) AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
                ORDER BY i.indrelid::regclass::text, i.indexrelid::regclass::text""", oids));
        section("Functions", session.strings("""
                SELECT pg_get_functiondef(p.oid) || ';' FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p', 'w')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                  AND (? OR p.oid IN (SELECT t.tgfoid FROM pg_trigger t WHERE t.tgrelid = ANY(?::int8[]::oid[]) AND NOT t.tgisinternal))
                ORDER BY p.proname, p.oid""", request.includeFunctions(), oids));
        if (request.includeViews()) {
            section("Views", session.strings("""
                    SELECT format(E'CREATE OR REPLACE VIEW %s AS\\n%s', c.oid::regclass, rtrim(pg_get_viewdef(c.oid), ';')) || ';'
                    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                    ORDER BY c.oid"""));
        }
        section("Row-level security", session.strings("""
                SELECT format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY;', c.oid::regclass)
                       || CASE WHEN c.relforcerowsecurity THEN format(E'\\nALTER TABLE %s FORCE ROW LEVEL SECURITY;', c.oid::regclass) ELSE '' END
                FROM pg_class c WHERE c.oid = ANY(?::int8[]::oid[]) AND c.relrowsecurity
                ORDER BY c.oid::regclass::text""", oids));
        section("Policies", session.strings("""
                SELECT format(E'DROP POLICY IF EXISTS %I ON %s;\\nCREATE POLICY %1$I ON %2$s AS %s FOR %s TO %s%s%s;',
                       p.polname, p.polrelid::regclass,
                       CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                       CASE WHEN p.polroles = '{0}' THEN 'PUBLIC'
                            ELSE (SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname) FROM pg_roles r WHERE r.oid = ANY(p.polroles)) END,
                       CASE WHEN p.polqual IS NULL THEN '' ELSE ' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')' END,
                       CASE WHEN p.polwithcheck IS NULL THEN '' ELSE ' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')' END)
                FROM pg_policy p WHERE p.polrelid = ANY(?::int8[]::oid[])
                ORDER BY p.polrelid::regclass::text, p.polname""", oids));
        section("Triggers", session.strings("""
                SELECT regexp_replace(pg_get_triggerdef(t.oid), '^CREATE TRIGGER ', 'CREATE OR REPLACE TRIGGER ') || ';'
                FROM pg_trigger t WHERE t.tgrelid = ANY(?::int8[]::oid[]) AND NOT t.tgisinternal
                ORDER BY t.tgrelid::regclass::text, t.tgname""", oids));
        return out.toString();
    }

    /**
     * The sequences the script carries: those the tables' serial columns own, and with
     * {@code includeSequences} every other sequence of public that is not an identity column's.
     */
    private static final String SEQUENCES = """
            WITH chosen AS (
                SELECT d.objid AS oid FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjid = ANY(?::int8[]::oid[])
                UNION
                SELECT s.oid FROM pg_class s WHERE ? AND s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                                  AND d.deptype IN ('i', 'e')))
            """;

    private void createTable(ExportSession.Table table) throws SQLException {
        List<String> parts = session.strings("""
                SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                       || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
                                             WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
                       || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                               WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
                       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = ?::int8::oid AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""", table.oid());
        parts.addAll(session.strings("""
                SELECT format('CONSTRAINT %I %s', c.conname, pg_get_constraintdef(c.oid)) FROM pg_constraint c
                WHERE c.conrelid = ?::int8::oid AND c.contype IN ('p', 'u', 'c', 'x')
                ORDER BY CASE c.contype WHEN 'p' THEN 0 ELSE 1 END, c.conname""", table.oid()));
        out.append("-- Table: ").append(table.name()).append('\n')
                .append("CREATE TABLE IF NOT EXISTS ").append(table.qualified()).append(" (\n    ")
                .append(String.join(",\n    ", parts)).append("\n);\n\n");
    }

    /**
     * The table's rows (up to the limit) as multi-row INSERTs; each value is {@code quote_nullable}
     * of its text form, which Postgres reads back into the column's type. Generated columns are left
     * out; identity columns that are ALWAYS generated need {@code OVERRIDING SYSTEM VALUE}.
     */
    private void rows(ExportSession.Table table) throws SQLException {
        List<String> columns = session.strings("""
                SELECT quote_ident(attname) FROM pg_attribute
                WHERE attrelid = ?::int8::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
                ORDER BY attnum""", table.oid());
        boolean overriding = !session.strings("""
                SELECT 1 FROM pg_attribute WHERE attrelid = ?::int8::oid AND attidentity = 'a' AND NOT attisdropped""",
                table.oid()).isEmpty();
        String tuple = "'(' || " + String.join(" || ', ' || ", columns.stream().map(c -> "quote_nullable(t." + c + ")").toList()) + " || ')'";
        String insert = "INSERT INTO " + table.qualified() + " (" + String.join(", ", columns) + ")"
                + (overriding ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES\n";
        int count = 0;
        StringBuilder data = new StringBuilder();
        try (PreparedStatement statement = session.connection().prepareStatement(
                "SELECT " + tuple + " FROM " + table.qualified() + " t LIMIT " + (request.rowLimit() + 1))) {
            statement.setFetchSize(500);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (count == request.rowLimit()) {
                        session.truncated().add(table.name());
                        break;
                    }
                    data.append(count % ROWS_PER_INSERT == 0 ? (count == 0 ? "" : ";\n") + insert + "  " : ",\n  ")
                            .append(rows.getString(1));
                    count++;
                }
            }
        }
        if (count == 0) {
            return;
        }
        out.append("-- Data for table: ").append(table.name());
        if (session.truncated().contains(table.name())) {
            out.append(" (only the first ").append(request.rowLimit()).append(" rows: the table has more than the row limit)");
        }
        out.append('\n').append(data).append(";\n\n");
    }

    private void section(String title, List<String> statements) {
        if (statements.isEmpty()) {
            return;
        }
        out.append("-- ").append(title).append('\n');
        statements.forEach(statement -> out.append(statement).append('\n'));
        out.append('\n');
    }
}
