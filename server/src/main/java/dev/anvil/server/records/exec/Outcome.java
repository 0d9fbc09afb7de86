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
 */
public record Outcome(Long total, long pageTotal, byte[] body, String role, Long inserted, Long planned) {
}
