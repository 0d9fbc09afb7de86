package dev.anvil.server.records.plan;

/** One item of a planned relation's output row. */
public sealed interface Output {

    /** The key this item has in the output JSON (spreads have several: see {@link Spread}). */
    String name();

    /**
     * A column or JSON path, optionally cast ({@code castType} is SQL, from the schema cache;
     * {@code castViaText} when Postgres has no direct cast, so the value goes through its text form
     * and a bad value is a data error rather than an undefined cast).
     */
    record Field(ColumnRef ref, String name, String castType, boolean castViaText) implements Output {
    }

    /** An embedded resource: an object (to-one) or array (to-many). */
    record Nested(Embed embed) implements Output {
        @Override
        public String name() {
            return embed.label();
        }
    }

    /** A to-one embed whose output columns become this row's columns ({@code ...embed(…)}). */
    record Spread(Embed embed) implements Output {
        @Override
        public String name() {
            return embed.label();
        }
    }
}
