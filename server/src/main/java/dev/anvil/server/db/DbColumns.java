package dev.anvil.server.db;

import java.sql.Timestamp;
import java.time.Instant;

import io.helidon.dbclient.DbRow;

/** Reading DbClient columns whose Java type is not the obvious one. */
public final class DbColumns {

    private DbColumns() {
    }

    /** A {@code timestamptz} column (DbClient hands it over as {@link Timestamp}); null stays null. */
    public static Instant instant(DbRow row, String column) {
        Timestamp value = row.column(column).get(Timestamp.class);
        return value == null ? null : value.toInstant();
    }
}
