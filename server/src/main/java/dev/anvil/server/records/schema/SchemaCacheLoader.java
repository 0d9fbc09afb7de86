package dev.anvil.server.records.schema;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link SchemaCache} from pg_catalog in one transaction (a consistent snapshot). The
 * exposed schemas are {@code public} plus every schema that is neither a platform schema nor owned
 * by an extension — InsForge's rule for PostgREST's {@code db-schemas} — unless a fixed list is
 * configured.
 */
public final class SchemaCacheLoader {

    /** Platform schemas never exposed through the records API (InsForge's list, plus Anvil's own). */
    static final List<String> INTERNAL_SCHEMAS = List.of("ai", "auth", "compute", "deployments", "email", "functions",
            "memory", "payments", "realtime", "schedules", "storage", "system", "cron", "graphql", "vault");

    private static final String EXPOSED_SCHEMAS = """
            SELECT n.nspname FROM pg_catalog.pg_namespace n
            WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname <> ALL (?)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
            ORDER BY n.nspname <> 'public', n.nspname""";

    private static final String TABLES = """
            SELECT c.oid, n.nspname, c.relname, c.relkind,
                   CASE WHEN c.relkind IN ('r', 'p') THEN 28 ELSE pg_catalog.pg_relation_is_updatable(c.oid, true) END,
                   pg_catalog.format_type(c.reltype, NULL)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname = ANY (?) AND NOT c.relispartition""";

    private static final String COLUMNS = """
            SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), bt.typname, bt.typcategory,
                   NOT a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attgenerated <> '' OR a.attidentity = 'a',
                   pg_catalog.format_type(a.atttypid, NULL)
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
              AND n.nspname = ANY (?) AND NOT c.relispartition
            ORDER BY a.attrelid, a.attnum""";

    private static final String CONSTRAINTS = """
            SELECT con.conrelid, con.contype, con.conname, con.confrelid,
                   ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, i)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.i),
                   ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, i)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.i)
            FROM pg_catalog.pg_constraint con
            JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE con.contype IN ('p', 'u', 'f') AND n.nspname = ANY (?)
            UNION ALL
            SELECT i.indrelid, 'u', ic.relname, 0,
                   ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, i)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.i),
                   ARRAY[]::text[]
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND n.nspname = ANY (?)
            ORDER BY 1, 3""";

    private static final String ROUTINES = """
            SELECT n.nspname, p.proname, p.provolatile, p.proretset, p.prorettype = 'pg_catalog.void'::regtype,
                   pg_catalog.format_type(p.prorettype, NULL), rbt.typname, rbt.typcategory, rt.typtype, rt.typrelid,
                   rn.nspname, rc.relname, rc.relkind,
                   coalesce(p.proargnames, ARRAY[]::text[]), coalesce(p.proargmodes::text[], ARRAY[]::text[]),
                   ARRAY(SELECT pg_catalog.format_type(u.t, NULL) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]))
                         WITH ORDINALITY u(t, i) ORDER BY u.i),
                   ARRAY(SELECT bt.typname::text FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i)
                         JOIN pg_catalog.pg_type at ON at.oid = u.t
                         JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN at.typtype = 'd' THEN at.typbasetype ELSE at.oid END
                         ORDER BY u.i),
                   ARRAY(SELECT bt.typcategory::text FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i)
                         JOIN pg_catalog.pg_type at ON at.oid = u.t
                         JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN at.typtype = 'd' THEN at.typbasetype ELSE at.oid END
                         ORDER BY u.i),
                   ARRAY(SELECT at.typtype::text FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i)
                         JOIN pg_catalog.pg_type at ON at.oid = u.t ORDER BY u.i),
                   p.pronargs, p.pronargdefaults, p.provariadic <> 0,
                   ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = rt.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                   ARRAY(SELECT pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = rt.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                   ARRAY(SELECT bt.typname::text FROM pg_catalog.pg_attribute a
                         JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                         JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN at.typtype = 'd' THEN at.typbasetype ELSE at.oid END
                         WHERE a.attrelid = rt.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                   ARRAY(SELECT bt.typcategory::text FROM pg_catalog.pg_attribute a
                         JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                         JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN at.typtype = 'd' THEN at.typbasetype ELSE at.oid END
                         WHERE a.attrelid = rt.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
            FROM pg_catalog.pg_proc p
            JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            JOIN pg_catalog.pg_type rt ON rt.oid = p.prorettype
            JOIN pg_catalog.pg_type rbt ON rbt.oid = CASE WHEN rt.typtype = 'd' THEN rt.typbasetype ELSE rt.oid END
            LEFT JOIN pg_catalog.pg_class rc ON rc.oid = rt.typrelid
            LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE n.nspname = ANY (?) AND p.prokind = 'f'
            ORDER BY n.nspname, p.proname, p.oid""";

    private static final String TYPES = """
            SELECT n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typisdefined AND t.typtype <> 'p' AND (n.nspname = 'pg_catalog' OR n.nspname = ANY (?))""";

    private static final String TEXT_SEARCH_CONFIGS = "SELECT cfgname FROM pg_catalog.pg_ts_config";

    private static final String CASTS = """
            SELECT s.typname, t.typname FROM pg_catalog.pg_cast c
            JOIN pg_catalog.pg_type s ON s.oid = c.castsource JOIN pg_catalog.pg_type t ON t.oid = c.casttarget""";

    /** Standard SQL spellings that are not pg_type names. */
    private static final Map<String, String> TYPE_ALIASES = Map.ofEntries(
            Map.entry("integer", "int4"), Map.entry("int", "int4"), Map.entry("smallint", "int2"),
            Map.entry("bigint", "int8"), Map.entry("real", "float4"), Map.entry("double precision", "float8"),
            Map.entry("float", "float8"), Map.entry("boolean", "bool"), Map.entry("decimal", "numeric"),
            Map.entry("character varying", "varchar"), Map.entry("character", "bpchar"), Map.entry("char", "bpchar"),
            Map.entry("timestamp with time zone", "timestamptz"), Map.entry("timestamp without time zone", "timestamp"),
            Map.entry("time with time zone", "timetz"), Map.entry("time without time zone", "time"),
            Map.entry("bit varying", "varbit"));

    private final List<String> fixedSchemas;

    /** @param fixedSchemas schemas to expose, in order; empty to compute them as InsForge does */
    public SchemaCacheLoader(List<String> fixedSchemas) {
        this.fixedSchemas = List.copyOf(fixedSchemas);
    }

    public SchemaCache load(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            connection.createStatement().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            SchemaCache cache = loadInTransaction(connection);
            connection.commit();
            return cache;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private SchemaCache loadInTransaction(Connection connection) throws SQLException {
        List<String> schemas = fixedSchemas.isEmpty() ? exposedSchemas(connection) : fixedSchemas;
        Array schemaArray = connection.createArrayOf("text", schemas.toArray());

        Map<Long, TableDraft> drafts = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(TABLES)) {
            statement.setArray(1, schemaArray);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    int updatable = rows.getInt(5);
                    drafts.put(rows.getLong(1), new TableDraft(new QualifiedName(rows.getString(2), rows.getString(3)),
                            rows.getString(4).charAt(0), (updatable & 8) != 0, (updatable & 4) != 0, (updatable & 16) != 0,
                            rows.getString(6)));
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setArray(1, schemaArray);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    TableDraft draft = drafts.get(rows.getLong(1));
                    if (draft != null) {
                        draft.columns.add(new Column(rows.getString(2), rows.getString(3), rows.getString(9), rows.getString(4),
                                kindOf(rows.getString(4), rows.getString(5)), rows.getBoolean(6), rows.getString(7),
                                rows.getBoolean(8)));
                    }
                }
            }
        }
        List<ForeignKey> foreignKeys = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(CONSTRAINTS)) {
            statement.setArray(1, schemaArray);
            statement.setArray(2, schemaArray);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    TableDraft draft = drafts.get(rows.getLong(1));
                    if (draft == null) {
                        continue;
                    }
                    List<String> columns = strings(rows.getArray(5));
                    switch (rows.getString(2)) {
                        case "p" -> {
                            draft.primaryKey = columns;
                            draft.uniqueKeys.add(columns);
                        }
                        case "u" -> {
                            if (!draft.uniqueKeys.contains(columns)) {
                                draft.uniqueKeys.add(columns);
                            }
                        }
                        default -> {
                            TableDraft target = drafts.get(rows.getLong(4));
                            if (target != null) {
                                foreignKeys.add(new ForeignKey(rows.getString(3), draft, columns, target, strings(rows.getArray(6))));
                            }
                        }
                    }
                }
            }
        }

        Map<QualifiedName, Table> tables = new HashMap<>();
        for (TableDraft draft : drafts.values()) {
            tables.put(draft.name, draft.build());
        }
        Map<QualifiedName, List<Relationship>> relationships = relationships(foreignKeys, tables);
        Map<QualifiedName, List<Routine>> routines = routines(connection, schemaArray, tables);
        return new SchemaCache(schemas, tables, relationships, routines, castTypes(connection, schemaArray),
                casts(connection), textSearchConfigs(connection), System.nanoTime());
    }

    private static List<String> exposedSchemas(Connection connection) throws SQLException {
        List<String> schemas = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(EXPOSED_SCHEMAS)) {
            statement.setArray(1, connection.createArrayOf("text", INTERNAL_SCHEMAS.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    schemas.add(rows.getString(1));
                }
            }
        }
        if (!schemas.contains("public")) {
            schemas.add(0, "public");
        }
        return schemas;
    }

    /**
     * Every foreign key gives a relationship in each direction; two foreign keys of a junction table
     * whose primary key covers both give a many-to-many relationship between their targets.
     */
    static Map<QualifiedName, List<Relationship>> relationships(List<ForeignKey> foreignKeys, Map<QualifiedName, Table> tables) {
        Map<QualifiedName, List<Relationship>> out = new HashMap<>();
        for (ForeignKey fk : foreignKeys) {
            Table source = tables.get(fk.source.name);
            boolean unique = source.isUniqueKey(fk.columns);
            List<Relationship.ColumnPair> forward = new ArrayList<>();
            List<Relationship.ColumnPair> backward = new ArrayList<>();
            for (int i = 0; i < fk.columns.size(); i++) {
                forward.add(new Relationship.ColumnPair(fk.columns.get(i), fk.targetColumns.get(i)));
                backward.add(new Relationship.ColumnPair(fk.targetColumns.get(i), fk.columns.get(i)));
            }
            add(out, new Relationship(fk.source.name, fk.target.name,
                    unique ? Relationship.Cardinality.ONE_TO_ONE : Relationship.Cardinality.MANY_TO_ONE,
                    fk.name, List.copyOf(forward), null));
            add(out, new Relationship(fk.target.name, fk.source.name,
                    unique ? Relationship.Cardinality.ONE_TO_ONE : Relationship.Cardinality.ONE_TO_MANY,
                    fk.name, List.copyOf(backward), null));
        }
        Map<QualifiedName, List<ForeignKey>> byJunction = new HashMap<>();
        for (ForeignKey fk : foreignKeys) {
            byJunction.computeIfAbsent(fk.source.name, k -> new ArrayList<>()).add(fk);
        }
        for (Map.Entry<QualifiedName, List<ForeignKey>> entry : byJunction.entrySet()) {
            Table junction = tables.get(entry.getKey());
            List<String> pk = junction.primaryKey();
            List<ForeignKey> keys = entry.getValue();
            for (ForeignKey left : keys) {
                for (ForeignKey right : keys) {
                    if (left == right || pk.isEmpty() || !pk.containsAll(left.columns) || !pk.containsAll(right.columns)) {
                        continue;
                    }
                    List<Relationship.ColumnPair> sourcePairs = new ArrayList<>();
                    for (int i = 0; i < left.columns.size(); i++) {
                        sourcePairs.add(new Relationship.ColumnPair(left.targetColumns.get(i), left.columns.get(i)));
                    }
                    List<Relationship.ColumnPair> targetPairs = new ArrayList<>();
                    for (int i = 0; i < right.columns.size(); i++) {
                        targetPairs.add(new Relationship.ColumnPair(right.columns.get(i), right.targetColumns.get(i)));
                    }
                    add(out, new Relationship(left.target.name, right.target.name, Relationship.Cardinality.MANY_TO_MANY,
                            left.name, List.copyOf(sourcePairs),
                            new Relationship.Junction(junction.name(), right.name, List.copyOf(targetPairs))));
                }
            }
        }
        return out;
    }

    private static void add(Map<QualifiedName, List<Relationship>> out, Relationship relationship) {
        out.computeIfAbsent(relationship.source(), k -> new ArrayList<>()).add(relationship);
    }

    private static Map<QualifiedName, List<Routine>> routines(Connection connection, Array schemaArray,
                                                              Map<QualifiedName, Table> tables) throws SQLException {
        Map<QualifiedName, List<Routine>> out = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(ROUTINES)) {
            statement.setArray(1, schemaArray);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Routine routine = routine(rows, tables);
                    if (routine != null) {
                        out.computeIfAbsent(routine.name(), k -> new ArrayList<>()).add(routine);
                    }
                }
            }
        }
        return out;
    }

    /** One pg_proc row as a routine; null for functions the API cannot call (pseudo-type arguments …). */
    private static Routine routine(ResultSet rows, Map<QualifiedName, Table> tables) throws SQLException {
        QualifiedName name = new QualifiedName(rows.getString(1), rows.getString(2));
        char volatility = rows.getString(3).charAt(0);
        boolean returnsSet = rows.getBoolean(4);
        boolean returnsVoid = rows.getBoolean(5);
        String returnType = rows.getString(6);
        String returnBase = rows.getString(7);
        String returnCategory = rows.getString(8);
        char returnTypType = rows.getString(9).charAt(0);
        long returnRelid = rows.getLong(10);
        String returnRelSchema = rows.getString(11);
        String returnRelName = rows.getString(12);
        List<String> argNames = strings(rows.getArray(14));
        List<String> argModes = strings(rows.getArray(15));
        List<String> argTypes = strings(rows.getArray(16));
        List<String> argBases = strings(rows.getArray(17));
        List<String> argCategories = strings(rows.getArray(18));
        List<String> argTypTypes = strings(rows.getArray(19));
        int inputCount = rows.getInt(20);
        int defaults = rows.getInt(21);
        boolean variadic = rows.getBoolean(22);

        List<Routine.Param> params = new ArrayList<>();
        List<Column> outColumns = new ArrayList<>();
        int inputIndex = 0;
        for (int i = 0; i < argTypes.size(); i++) {
            String mode = argModes.isEmpty() ? "i" : argModes.get(i);
            String argName = i < argNames.size() && argNames.get(i) != null ? argNames.get(i) : "";
            Column.TypeKind kind = kindOf(argBases.get(i), argCategories.get(i));
            if (mode.equals("o") || mode.equals("t") || mode.equals("b")) {
                outColumns.add(new Column(argName, argTypes.get(i), argTypes.get(i), argBases.get(i), kind, true, null, false));
            }
            if (mode.equals("i") || mode.equals("b") || mode.equals("v")) {
                if ("p".equals(argTypTypes.get(i))) {
                    return null; // polymorphic or internal argument: no type to cast the value to
                }
                boolean hasDefault = inputIndex >= inputCount - defaults;
                params.add(new Routine.Param(argName, argTypes.get(i), kind, hasDefault, mode.equals("v")));
                inputIndex++;
            }
        }
        if (variadic && !params.isEmpty() && !params.get(params.size() - 1).variadic()) {
            Routine.Param last = params.remove(params.size() - 1);
            params.add(new Routine.Param(last.name(), last.sqlType(), last.kind(), last.hasDefault(), true));
        }

        Routine.Result result;
        if (returnsVoid) {
            result = new Routine.Void();
        } else if (returnTypType == 'c') {
            List<String> names = strings(rows.getArray(23));
            List<String> types = strings(rows.getArray(24));
            List<String> bases = strings(rows.getArray(25));
            List<String> categories = strings(rows.getArray(26));
            List<Column> columns = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                columns.add(new Column(names.get(i), types.get(i), types.get(i), bases.get(i),
                        kindOf(bases.get(i), categories.get(i)), true, null, false));
            }
            QualifiedName table = returnRelSchema == null ? null : new QualifiedName(returnRelSchema, returnRelName);
            Table known = table == null ? null : tables.get(table);
            result = new Routine.Composite(known != null ? known.columns() : List.copyOf(columns), known != null ? table : null);
        } else if ("record".equals(returnBase) && !outColumns.isEmpty()) {
            result = new Routine.Composite(List.copyOf(outColumns), null);
        } else if (returnTypType == 'p' && !"record".equals(returnBase)) {
            return null; // trigger, internal, anyelement …
        } else if ("record".equals(returnBase)) {
            return null; // an anonymous record needs a column definition list the API cannot supply
        } else {
            result = new Routine.Scalar(returnType, kindOf(returnBase, returnCategory));
        }
        return new Routine(name, List.copyOf(params), result, returnsSet, volatility);
    }

    private static Map<String, SchemaCache.CastType> castTypes(Connection connection, Array schemaArray) throws SQLException {
        Map<String, SchemaCache.CastType> names = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(TYPES)) {
            statement.setArray(1, schemaArray);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String schema = rows.getString(1);
                    String type = rows.getString(2);
                    SchemaCache.CastType cast = new SchemaCache.CastType(SqlNames.quote(schema) + "." + SqlNames.quote(type), type);
                    // pg_catalog wins over a same-named type elsewhere, as search_path resolution would.
                    if ("pg_catalog".equals(schema) || !names.containsKey(type.toLowerCase())) {
                        names.put(type.toLowerCase(), cast);
                    }
                }
            }
        }
        TYPE_ALIASES.forEach((alias, type) -> {
            SchemaCache.CastType cast = names.get(type);
            if (cast != null) {
                names.put(alias, cast);
            }
        });
        return names;
    }

    private static Set<String> casts(Connection connection) throws SQLException {
        Set<String> casts = new HashSet<>();
        try (ResultSet rows = connection.createStatement().executeQuery(CASTS)) {
            while (rows.next()) {
                casts.add(rows.getString(1) + ">" + rows.getString(2));
            }
        }
        return casts;
    }

    private static Set<String> textSearchConfigs(Connection connection) throws SQLException {
        Set<String> configs = new HashSet<>();
        try (ResultSet rows = connection.createStatement().executeQuery(TEXT_SEARCH_CONFIGS)) {
            while (rows.next()) {
                configs.add(rows.getString(1));
            }
        }
        return configs;
    }

    /** The engine's view of a type, from its (domain-resolved) name and pg_type category. */
    static Column.TypeKind kindOf(String baseType, String category) {
        if (baseType == null) {
            return Column.TypeKind.OTHER;
        }
        return switch (baseType) {
            case "text", "varchar", "bpchar", "citext", "name" -> Column.TypeKind.TEXT;
            case "json" -> Column.TypeKind.JSON;
            case "jsonb" -> Column.TypeKind.JSONB;
            case "tsvector" -> Column.TypeKind.TSVECTOR;
            case "bool" -> Column.TypeKind.BOOLEAN;
            default -> switch (category == null ? "" : category) {
                case "A" -> Column.TypeKind.ARRAY;
                case "R" -> Column.TypeKind.RANGE;
                default -> Column.TypeKind.OTHER;
            };
        };
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Object[] values = (Object[]) array.getArray();
        List<String> out = new ArrayList<>(values.length);
        for (Object value : values) {
            out.add(value == null ? null : value.toString());
        }
        return out;
    }

    /** A foreign key between two loaded relations. */
    record ForeignKey(String name, TableDraft source, List<String> columns, TableDraft target, List<String> targetColumns) {
    }

    /** A table while its columns and constraints are still being read. */
    static final class TableDraft {
        final QualifiedName name;
        final char kind;
        final boolean insertable;
        final boolean updatable;
        final boolean deletable;
        final String rowType;
        final List<Column> columns = new ArrayList<>();
        final List<List<String>> uniqueKeys = new ArrayList<>();
        List<String> primaryKey = List.of();

        TableDraft(QualifiedName name, char kind, boolean insertable, boolean updatable, boolean deletable, String rowType) {
            this.name = name;
            this.kind = kind;
            this.insertable = insertable;
            this.updatable = updatable;
            this.deletable = deletable;
            this.rowType = rowType;
        }

        Table build() {
            Map<String, Column> byName = new LinkedHashMap<>();
            for (Column column : columns) {
                byName.put(column.name(), column);
            }
            return new Table(name, kind, insertable, updatable, deletable, List.copyOf(columns), Map.copyOf(byName),
                    List.copyOf(primaryKey), List.copyOf(uniqueKeys), rowType);
        }
    }
}
