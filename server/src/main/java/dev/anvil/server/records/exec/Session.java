package dev.anvil.server.records.exec;

/**
 * The per-request session state set with {@code set_config(…, true)} before the query, in the same
 * round trip: what PostgREST sets (role, JWT claims, method, path, headers, search_path), plus a
 * read-only transaction for GET/HEAD and the {@code Prefer: timezone}.
 *
 * @param authenticated the caller presented a user or admin credential (42501 is then 403, else 401)
 */
public record Session(String role, String claimsJson, boolean authenticated, String method, String path,
                      String headersJson, String searchPath, boolean readOnly, String timezone) {

    /** The {@code set_config} statement; its parameters are bound in this order by {@link QueryRunner}. */
    String preamble() {
        StringBuilder sql = new StringBuilder("SELECT pg_catalog.length(pg_catalog.set_config('role', ?, true))"
                + " + pg_catalog.length(pg_catalog.set_config('request.jwt.claims', ?, true))"
                + " + pg_catalog.length(pg_catalog.set_config('request.method', ?, true))"
                + " + pg_catalog.length(pg_catalog.set_config('request.path', ?, true))"
                + " + pg_catalog.length(pg_catalog.set_config('request.headers', ?, true))"
                + " + pg_catalog.length(pg_catalog.set_config('search_path', ?, true))");
        if (readOnly) {
            sql.append(" + pg_catalog.length(pg_catalog.set_config('transaction_read_only', 'on', true))");
        }
        if (timezone != null) {
            sql.append(" + pg_catalog.length(pg_catalog.set_config('timezone', ?, true))");
        }
        return sql.toString();
    }
}
