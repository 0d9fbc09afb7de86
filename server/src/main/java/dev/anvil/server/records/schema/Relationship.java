package dev.anvil.server.records.schema;

import java.util.List;

/**
 * A way to embed {@code target} from {@code source}, derived from foreign keys (PostgREST's
 * relationships): many-to-one and one-to-one from the referencing side, one-to-many and one-to-one
 * from the referenced side, many-to-many through a junction table whose primary key covers both of
 * its foreign keys.
 *
 * @param constraint the foreign key's name (for many-to-many: the key from the junction to the source)
 * @param columns    join pairs: source column = target column (many-to-many: source = junction column)
 * @param junction   for many-to-many only: the junction table, its key to the target and those join pairs
 *                   (junction column = target column)
 */
public record Relationship(QualifiedName source, QualifiedName target, Cardinality cardinality, String constraint,
                           List<ColumnPair> columns, Junction junction) {

    public enum Cardinality {
        MANY_TO_ONE("many-to-one"), ONE_TO_MANY("one-to-many"), ONE_TO_ONE("one-to-one"), MANY_TO_MANY("many-to-many");

        private final String label;

        Cardinality(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public record ColumnPair(String source, String target) {
    }

    public record Junction(QualifiedName table, String targetConstraint, List<ColumnPair> targetColumns) {
    }

    /** Embeds through this relationship yield one object (or null), not an array. */
    public boolean isToOne() {
        return cardinality == Cardinality.MANY_TO_ONE || cardinality == Cardinality.ONE_TO_ONE;
    }
}
