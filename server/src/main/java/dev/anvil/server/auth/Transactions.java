package dev.anvil.server.auth;

import java.util.function.Function;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbTransaction;

/** One DbClient transaction around a piece of work: committed when the work returns, rolled back when it throws. */
public final class Transactions {

    private Transactions() {
    }

    public static <T> T run(DbClient db, Function<DbTransaction, T> work) {
        DbTransaction tx = db.transaction();
        T result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException e) {
            tx.rollback();
            throw e;
        }
        tx.commit();
        return result;
    }
}
