package dev.anvil.server.database.export;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.Json;

/**
 * The {@code json} export, shaped as InsForge's: {@code {timestamp, tables: {<name>: {schema,
 * indexes, foreignKeys, rlsEnabled, policies, triggers, rows, truncated?, exportedRowCount?,
 * totalRowCount?}}, functions, sequences, views}}. Postgres builds each part as JSON; rows are
 * {@code row_to_json}, so numbers, booleans, json and arrays keep their JSON types and timestamps
 * are ISO 8601 text.
 */
final class JsonExport {

    private static final String TABLE_PARTS = """
            SELECT json_build_object(
              'schema', (SELECT coalesce(json_agg(json_build_object('columnName', column_name, 'dataType', data_type,
                            'characterMaximumLength', character_maximum_length, 'isNullable', is_nullable,
                            'columnDefault', column_default) ORDER BY ordinal_position), '[]')
                         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?),
              'indexes', (SELECT coalesce(json_agg(json_build_object('indexname', i.indexrelid::regclass::text,
                            'indexdef', pg_get_indexdef(i.indexrelid), 'isUnique', i.indisunique, 'isPrimary', i.indisprimary)
                            ORDER BY i.indexrelid::regclass::text), '[]')
                          FROM pg_index i WHERE i.indrelid = ?::int8::oid),
              'foreignKeys', (SELECT coalesce(json_agg(json_build_object('constraintName', c.conname, 'columnName', a1.attname,
                            'foreignTableName', c.confrelid::regclass::text, 'foreignColumnName', a2.attname, 'ordinalPosition', u.pos,
                            'deleteRule', CASE c.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                                                             WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END,
                            'updateRule', CASE c.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                                                             WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END)
                            ORDER BY c.conname, u.pos), '[]')
                          FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS u(src, ref, pos)
                          JOIN pg_attribute a1 ON a1.attrelid = c.conrelid AND a1.attnum = u.src
                          JOIN pg_attribute a2 ON a2.attrelid = c.confrelid AND a2.attnum = u.ref
                          WHERE c.contype = 'f' AND c.conrelid = ?::int8::oid),
              'rlsEnabled', (SELECT relrowsecurity FROM pg_class WHERE oid = ?::int8::oid),
              'policies', (SELECT coalesce(json_agg(json_build_object('policyname', policyname, 'cmd', cmd, 'roles', roles,
                            'qual', qual, 'withCheck', with_check) ORDER BY policyname), '[]')
                           FROM pg_policies WHERE schemaname = 'public' AND tablename = ?),
              'triggers', (SELECT coalesce(json_agg(json_build_object('triggerName', trigger_name, 'actionTiming', action_timing,
                            'eventManipulation', event_manipulation, 'actionOrientation', action_orientation,
                            'actionCondition', action_condition, 'actionStatement', action_statement,
                            'newTable', action_reference_new_table, 'oldTable', action_reference_old_table)
                            ORDER BY trigger_name, event_manipulation), '[]')
                           FROM information_schema.triggers WHERE event_object_schema = 'public' AND event_object_table = ?))::text""";

    private final ExportSession session;
    private final ExportRequest request;

    JsonExport(ExportSession session, ExportRequest request) {
        this.session = session;
        this.request = request;
    }

    ObjectNode write(List<ExportSession.Table> tables, String timestamp) throws SQLException {
        ObjectNode data = Json.object();
        data.put("timestamp", timestamp);
        ObjectNode byName = data.putObject("tables");
        for (ExportSession.Table table : tables) {
            ObjectNode entry = (ObjectNode) parse(session.strings(TABLE_PARTS, table.name(), table.oid(), table.oid(),
                    table.oid(), table.name(), table.name()).getFirst());
            ArrayNode rows = entry.putArray("rows");
            if (request.includeData()) {
                rows(table, rows, entry);
            }
            byName.set(table.name(), entry);
        }
        data.set("functions", list(request.includeFunctions(), """
                SELECT json_build_object('functionName', p.proname, 'functionDef', pg_get_functiondef(p.oid), 'kind', p.prokind)::text
                FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p', 'w')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY p.proname, p.oid"""));
        data.set("sequences", list(request.includeSequences(), """
                SELECT json_build_object('sequenceName', sequence_name, 'startValue', start_value, 'increment', increment,
                       'minValue', minimum_value, 'maxValue', maximum_value, 'cycle', cycle_option)::text
                FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY sequence_name"""));
        data.set("views", list(request.includeViews(), """
                SELECT json_build_object('viewName', c.relname, 'definition', pg_get_viewdef(c.oid))::text
                FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' ORDER BY c.relname"""));
        return data;
    }

    private void rows(ExportSession.Table table, ArrayNode rows, ObjectNode entry) throws SQLException {
        try (PreparedStatement statement = session.connection().prepareStatement(
                "SELECT row_to_json(t)::text FROM " + table.qualified() + " t LIMIT " + (request.rowLimit() + 1))) {
            statement.setFetchSize(500);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    if (rows.size() == request.rowLimit()) {
                        session.truncated().add(table.name());
                        entry.put("truncated", true);
                        entry.put("exportedRowCount", rows.size());
                        entry.put("totalRowCount", Long.parseLong(session.strings("SELECT count(*) FROM " + table.qualified()).getFirst()));
                        return;
                    }
                    rows.add(parse(result.getString(1)));
                }
            }
        }
    }

    private ArrayNode list(boolean wanted, String sql) throws SQLException {
        ArrayNode out = Json.mapper().createArrayNode();
        if (wanted) {
            for (String item : session.strings(sql)) {
                out.add(parse(item));
            }
        }
        return out;
    }

    private static JsonNode parse(String json) {
        return Json.parse(json);
    }
}
