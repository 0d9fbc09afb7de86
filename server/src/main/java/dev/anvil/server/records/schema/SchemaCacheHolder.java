package dev.anvil.server.records.schema;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * The current {@link SchemaCache}, and the ways it is replaced: a reload on request (after DDL, or
 * on {@code NOTIFY pgrst}), and a reload when a request names something the cache does not know —
 * at most once a second, so a stream of bad names cannot turn into a stream of catalog scans.
 */
public final class SchemaCacheHolder {

    private static final System.Logger LOG = System.getLogger(SchemaCacheHolder.class.getName());
    private static final long MISS_RELOAD_INTERVAL_NANOS = 250_000_000L;

    private final DataSource dataSource;
    private final SchemaCacheLoader loader;
    private final Object reloadLock = new Object();
    private volatile SchemaCache current;
    private long lastMissReloadNanos = System.nanoTime() - MISS_RELOAD_INTERVAL_NANOS;

    public SchemaCacheHolder(DataSource dataSource, SchemaCacheLoader loader) {
        this.dataSource = dataSource;
        this.loader = loader;
    }

    public SchemaCache get() {
        SchemaCache cache = current;
        return cache != null ? cache : reload();
    }

    /** Reads the catalog again and makes the result current. */
    public SchemaCache reload() {
        synchronized (reloadLock) {
            long started = System.nanoTime();
            try (Connection connection = dataSource.getConnection()) {
                current = loader.load(connection);
            } catch (SQLException e) {
                if (current == null) {
                    throw new IllegalStateException("Could not read the schema cache: " + e.getMessage(), e);
                }
                LOG.log(Level.WARNING, "Schema cache reload failed, keeping the previous one: " + e.getMessage());
                return current;
            }
            LOG.log(Level.DEBUG, () -> "Schema cache loaded in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            return current;
        }
    }

    /**
     * Whether the catalog has a relation or function the cache lacks: one cheap query, so a request
     * naming a table created a moment ago finds it, while a stream of bad names costs no reloads.
     */
    public boolean catalogHas(QualifiedName relation, QualifiedName function) {
        String sql = relation != null
                ? "SELECT pg_catalog.to_regclass(pg_catalog.quote_ident(?) || '.' || pg_catalog.quote_ident(?)) IS NOT NULL"
                : "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                        + "WHERE n.nspname = ? AND p.proname = ?)";
        QualifiedName name = relation != null ? relation : function;
        try (Connection connection = dataSource.getConnection();
             java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, name.schema());
            statement.setString(2, name.name());
            try (java.sql.ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** Reloads unless another thread already replaced {@code seen}; returns the current cache. */
    public SchemaCache reloadIfStill(SchemaCache seen) {
        synchronized (reloadLock) {
            return current != seen ? current : reload();
        }
    }

    /**
     * A newer cache after a lookup in {@code seen} missed, or {@code seen} itself when reloading now
     * would be too soon (and nobody else has reloaded since).
     */
    public SchemaCache refreshAfterMiss(SchemaCache seen) {
        synchronized (reloadLock) {
            SchemaCache newer = current;
            if (newer != seen) {
                return newer;
            }
            long now = System.nanoTime();
            if (now - lastMissReloadNanos < MISS_RELOAD_INTERVAL_NANOS) {
                return seen;
            }
            lastMissReloadNanos = now;
            return reload();
        }
    }
}
