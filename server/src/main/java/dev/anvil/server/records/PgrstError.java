package dev.anvil.server.records;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.anvil.server.http.Json;

/**
 * A failure answered with PostgREST's error body {@code {code, details, hint, message}} and its
 * status — the records and RPC routes' error shape (contract §3.2 step 7). {@code details} and
 * {@code hint} are JSON values (usually strings, sometimes arrays as in PGRST201), or null.
 */
public final class PgrstError extends RuntimeException {

    private final int status;
    private final String code;
    private final JsonNode details;
    private final JsonNode hint;
    private final Map<String, String> headers;

    public PgrstError(int status, String code, String message, String details, String hint) {
        this(status, code, message, details == null ? null : TextNode.valueOf(details),
                hint == null ? null : TextNode.valueOf(hint), Map.of());
    }

    public PgrstError(int status, String code, String message, JsonNode details, JsonNode hint, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
        this.hint = hint;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public JsonNode details() {
        return details;
    }

    public JsonNode hint() {
        return hint;
    }

    public byte[] body() {
        ObjectNode body = Json.object();
        body.put("code", code);
        body.set("details", details);
        body.set("hint", hint);
        body.put("message", getMessage());
        return Json.bytes(body);
    }

    // ---- PGRST1xx: the request -----------------------------------------------------------------

    /** PGRST100: a query parameter that does not parse. */
    public static PgrstError queryParam(String message, String details) {
        return new PgrstError(400, "PGRST100", message, details, null);
    }

    /** PGRST101: a method an RPC endpoint does not take. */
    public static PgrstError rpcMethod(String method) {
        return new PgrstError(405, "PGRST101", "Cannot use the " + method + " method on RPC", null, null);
    }

    /** PGRST102: a body that is not what the request needs. */
    public static PgrstError invalidBody(String message) {
        return new PgrstError(400, "PGRST102", message, null, null);
    }

    /** PGRST103: a range that cannot be served. */
    public static PgrstError range(String details) {
        return new PgrstError(416, "PGRST103", "Requested range not satisfiable", details, null);
    }

    /** PGRST105: PUT filters that are not exactly the primary key with {@code eq}. */
    public static PgrstError putFilters() {
        return new PgrstError(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators",
                null, null);
    }

    /** PGRST106: a schema that is not exposed (PostgREST 12's wording). */
    public static PgrstError schema(List<String> exposed) {
        return new PgrstError(406, "PGRST106", "The schema must be one of the following: " + String.join(", ", exposed),
                null, null);
    }

    /** PGRST107: no acceptable media type. */
    public static PgrstError mediaType(String requested) {
        return new PgrstError(406, "PGRST107", "None of these media types are available: " + requested, null, null);
    }

    /** PGRST108: a filter, order or limit on an embed the select does not include. */
    public static PgrstError notEmbedded(String resource) {
        return new PgrstError(400, "PGRST108", "'" + resource + "' is not an embedded resource in this request", null,
                "Verify that '" + resource + "' is included in the 'select' query parameter.");
    }

    /** PGRST114: limit or offset on a PUT. */
    public static PgrstError putLimit() {
        return new PgrstError(400, "PGRST114", "limit/offset querystring parameters are not allowed for PUT", null, null);
    }

    /** PGRST115: a PUT body whose key differs from the URL's. */
    public static PgrstError putKeyMismatch() {
        return new PgrstError(400, "PGRST115", "Payload values do not match URL in primary key column(s)", null, null);
    }

    /** PGRST116: {@code application/vnd.pgrst.object+json} and not exactly one row (PostgREST 12's wording). */
    public static PgrstError singular(long rows) {
        return new PgrstError(406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
                "The result contains " + rows + " rows", null);
    }

    /** PGRST117: a method the endpoint does not support. */
    public static PgrstError unsupportedMethod(String method) {
        return new PgrstError(405, "PGRST117", "Unsupported HTTP method: " + method, null, null);
    }

    /** PGRST118: ordering by an embed that is not to-one. */
    public static PgrstError relatedOrder(String origin, String target) {
        return new PgrstError(400, "PGRST118", "A related order on '" + target + "' is not possible",
                "'" + origin + "' and '" + target + "' do not form a many-to-one or one-to-one relationship", null);
    }

    /** PGRST119: a spread on an embed that is not to-one (PostgREST 12). */
    public static PgrstError spreadNotToOne(String origin, String target) {
        return new PgrstError(400, "PGRST119", "A spread operation on '" + target + "' is not possible",
                "'" + origin + "' and '" + target + "' do not form a many-to-one or one-to-one relationship", null);
    }

    /** PGRST120: an operator other than is null / not is null on an embed. */
    public static PgrstError embedFilter(String target) {
        return new PgrstError(400, "PGRST120", "Bad operator on the '" + target + "' embedded resource",
                "Only is null or not is null filters are allowed on embedded resources", null);
    }

    /** PGRST122: preferences PostgREST does not know, with {@code handling=strict}. */
    public static PgrstError invalidPreferences(List<String> invalid) {
        return new PgrstError(400, "PGRST122", "Invalid preferences given with handling=strict",
                "Invalid preferences: " + String.join(", ", invalid), null);
    }

    /** PGRST123: aggregates, which PostgREST disables by default. */
    public static PgrstError aggregates() {
        return new PgrstError(400, "PGRST123", "Use of aggregate functions is not allowed", null, null);
    }

    /** PGRST124: more rows affected than {@code max-affected} allows. */
    public static PgrstError maxAffected(long rows) {
        return new PgrstError(400, "PGRST124", "Query result exceeds max-affected preference constraint",
                "The query affects " + rows + " rows", null);
    }

    /** PGRST125: a path PostgREST does not serve. */
    public static PgrstError invalidPath() {
        return new PgrstError(404, "PGRST125", "Invalid path specified in request URL", null, null);
    }

    /** PGRST128: max-affected on a function that does not return a set. */
    public static PgrstError maxAffectedRpc() {
        return new PgrstError(400, "PGRST128",
                "Function must return SETOF or TABLE when max-affected preference is used with handling=strict", null, null);
    }

    // ---- PGRST2xx: the schema cache ------------------------------------------------------------

    /** PGRST200: no relationship for an embed. */
    public static PgrstError noRelationship(String parent, String child, String hint, String schema) {
        return new PgrstError(400, "PGRST200",
                "Could not find a relationship between '" + parent + "' and '" + child + "' in the schema cache",
                "Searched for a foreign key relationship between '" + parent + "' and '" + child
                        + (hint == null ? "" : "' using the hint '" + hint) + "' in the schema '" + schema
                        + "', but no matches were found.", null);
    }

    /** PGRST202: no function with that name and those parameters. */
    public static PgrstError noFunction(String schema, String name, List<String> args, String hint) {
        String params = args.isEmpty() ? " without parameters" : "(" + String.join(", ", args) + ")";
        String details = args.isEmpty() ? " without parameters"
                : " with parameter" + (args.size() > 1 ? "s " : " ") + String.join(", ", args);
        return new PgrstError(404, "PGRST202", "Could not find the function " + schema + "." + name + params
                + " in the schema cache", "Searched for the function " + schema + "." + name + details
                + " or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.", hint);
    }

    /** PGRST203: overloads the arguments cannot choose between. */
    public static PgrstError ambiguousFunction(String candidates) {
        return new PgrstError(300, "PGRST203", "Could not choose the best candidate function between: " + candidates,
                null, "Try renaming the parameters or the function itself in the database so function overloading can be resolved");
    }

    /** PGRST204: a column a write names that the table does not have. */
    public static PgrstError columnNotFound(String table, String column) {
        return new PgrstError(400, "PGRST204", "Could not find the '" + column + "' column of '" + table
                + "' in the schema cache", null, null);
    }

    // ---- Postgres errors answered without asking Postgres --------------------------------------

    /** 42P01, as Postgres reports a missing relation (PostgREST 12 lets Postgres answer this). */
    public static PgrstError tableNotFound(String schema, String table) {
        return new PgrstError(404, "42P01", "relation \"" + schema + "." + table + "\" does not exist", null, null);
    }

    /** 42703, as Postgres reports a missing column. */
    public static PgrstError undefinedColumn(String table, String column) {
        return new PgrstError(400, "42703", "column " + table + "." + column + " does not exist", null, null);
    }

    /** 42704, as Postgres reports an unknown type or text search configuration. */
    public static PgrstError undefinedObject(String message) {
        return new PgrstError(400, "42704", message, null, null);
    }

    /** 22P02/2201X/… : a value Postgres would refuse, refused before asking it. */
    public static PgrstError dataError(String code, String message) {
        return new PgrstError(400, code, message, null, null);
    }
}
