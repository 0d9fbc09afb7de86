package dev.anvil.server.records.plan;

import dev.anvil.server.records.schema.Relationship;

/**
 * An embedded resource: the relationship to it, its own plan, and the SQL aliases of its lateral
 * subquery and (many-to-many) of the junction table.
 */
public record Embed(String label, Relationship relationship, boolean inner, ReadNode child, String lateralAlias,
                    String junctionAlias) {

    public boolean toOne() {
        return relationship.isToOne();
    }
}
