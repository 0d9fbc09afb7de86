package dev.anvil.server.records.schema;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of what the records engine may expose, read from pg_catalog: the exposed
 * schemas (the first is the default), their tables and views with columns and keys, the
 * relationships between them, their functions, and the names that casts and full-text search may
 * use. Every identifier the engine puts into SQL is first found here; a new snapshot replaces this
 * one when the schema changes.
 */
public final class SchemaCache {

    private final List<String> schemas;
    private final Map<QualifiedName, Table> tables;
    private final Map<QualifiedName, List<Relationship>> relationships;
    private final Map<QualifiedName, List<Routine>> routines;
    private final Map<String, CastType> castTypes;
    private final Set<String> casts;
    private final Set<String> textSearchConfigs;
    private final long loadedAtNanos;

    public SchemaCache(List<String> schemas, Map<QualifiedName, Table> tables,
                       Map<QualifiedName, List<Relationship>> relationships, Map<QualifiedName, List<Routine>> routines,
                       Map<String, CastType> castTypes, Set<String> casts, Set<String> textSearchConfigs,
                       long loadedAtNanos) {
        this.schemas = List.copyOf(schemas);
        this.tables = Map.copyOf(tables);
        this.relationships = Map.copyOf(relationships);
        this.routines = Map.copyOf(routines);
        this.castTypes = Map.copyOf(castTypes);
        this.casts = Set.copyOf(casts);
        this.textSearchConfigs = Set.copyOf(textSearchConfigs);
        this.loadedAtNanos = loadedAtNanos;
    }

    /** Exposed schemas; the first is the one used when a request names none. */
    public List<String> schemas() {
        return schemas;
    }

    public String defaultSchema() {
        return schemas.isEmpty() ? "public" : schemas.get(0);
    }

    public boolean isExposed(String schema) {
        return schemas.contains(schema);
    }

    public Optional<Table> table(QualifiedName name) {
        return Optional.ofNullable(tables.get(name));
    }

    public Map<QualifiedName, Table> tables() {
        return tables;
    }

    /** Relationships whose source is {@code source}. */
    public List<Relationship> relationshipsFrom(QualifiedName source) {
        return relationships.getOrDefault(source, List.of());
    }

    /** Every overload of the function. */
    public List<Routine> routines(QualifiedName name) {
        return routines.getOrDefault(name, List.of());
    }

    public Map<QualifiedName, List<Routine>> allRoutines() {
        return routines;
    }

    /**
     * The SQL spelling of a type a {@code ::cast} in {@code select} names (a pg_catalog or exposed
     * type, or a standard alias such as {@code integer}), if it exists.
     */
    public Optional<CastType> castType(String typeName) {
        return Optional.ofNullable(castTypes.get(typeName.trim().toLowerCase(Locale.ROOT)));
    }

    /** A type a select may cast to: its SQL spelling and its pg_type name. */
    public record CastType(String sql, String typeName) {
    }

    /**
     * True when Postgres casts {@code source} to {@code target} directly (same type, a pg_cast
     * entry, or to/from a string type through the type's I/O functions).
     */
    public boolean castsDirectly(String source, String target) {
        return source.equals(target) || isString(source) || isString(target) || casts.contains(source + ">" + target);
    }

    private static boolean isString(String type) {
        return type.equals("text") || type.equals("varchar") || type.equals("bpchar") || type.equals("name");
    }

    public boolean hasTextSearchConfig(String config) {
        return textSearchConfigs.contains(config);
    }

    public long loadedAtNanos() {
        return loadedAtNanos;
    }
}
