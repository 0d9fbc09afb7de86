package dev.anvil.server.database.sql;

/** SQL text that cannot be tokenized the way Postgres would (an unterminated string, comment or identifier). */
public final class SqlSyntaxException extends Exception {

    private final int position;

    public SqlSyntaxException(String message, int position) {
        super(message + " at position " + (position + 1), null, false, false);
        this.position = position;
    }

    /** Zero-based offset in the text where the problem starts. */
    public int position() {
        return position;
    }
}
