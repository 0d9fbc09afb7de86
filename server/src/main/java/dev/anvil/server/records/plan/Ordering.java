package dev.anvil.server.records.plan;

/**
 * One {@code ORDER BY} term: a column of this relation, or (related order) an output column of a
 * to-one embed, referred to through the embed's lateral alias.
 *
 * @param embedAlias the lateral alias of the to-one embed, or null
 * @param embedColumn the embed's output column name, when {@code embedAlias} is set
 */
public record Ordering(ColumnRef column, String embedAlias, String embedColumn, Boolean descending, Boolean nullsFirst) {
}
