package dev.anvil.server.records.exec;

/**
 * The final row of a records statement.
 *
 * @param total     the exact count when one was asked for, else null
 * @param pageTotal the rows in the response (rows written, for writes)
 * @param body      the response body as Postgres built it (raw UTF-8), or null
 * @param role      the role the statement ran as (checked against the caller's)
 * @param inserted  for upserts, how many rows were inserted rather than updated; else null
 * @param planned   the planner's row estimate when {@code count=planned|estimated}, else null
 * @param gucHeaders {@code response.headers} as a function set it (a JSON array of one-key objects), or null
 * @param gucStatus  {@code response.status} as a function set it, or null
 */
public record Outcome(Long total, long pageTotal, byte[] body, String role, Long inserted, Long planned,
                      String gucHeaders, String gucStatus) {
}
