package dev.anvil.server.database.grid;

/**
 * A column of a table shown in the dashboard's grid, as pg_catalog describes it.
 *
 * @param type     {@code format_type(atttypid, -1)}: the type without its modifier, so a cast to it
 *                 never truncates ({@code varchar(5)}, {@code char(n)}, {@code bit(n)}) and the
 *                 column's own modifier is applied on assignment, where a value that does not fit
 *                 is an error rather than silently cut
 * @param textLike text, varchar, char or citext: where InsForge keeps {@code ""} and searches
 */
record GridColumn(String name, String type, boolean textLike, boolean nullable) {
}
