package dev.anvil.server.auth;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbExecute;

/**
 * {@code auth.sessions} and {@code auth.refresh_tokens}: every refresh token is recorded by its
 * hash in a family (the session). Rotation is one transaction holding the session's row lock, so
 * two refreshes of one session never both see a token as fresh. A token presented again after its
 * rotation is reuse — someone else holds a copy — and revokes the whole family; within a short grace
 * period it is instead taken as a browser's concurrent refresh and answered with a sibling token,
 * as Supabase Auth does.
 */
final class RefreshTokenStore {

    private final DbClient db;

    RefreshTokenStore(DbClient db) {
        this.db = db;
    }

    /** What a new session records. */
    record NewSession(String sessionId, SessionType type, String subject, String userId, String csrfNonce,
                      ClientType clientType, String userAgent, String ipAddress) {
    }

    /** The outcome of presenting a refresh token. */
    sealed interface Rotation {
        /** The token was current (or a concurrent refresh within the grace period): here is the session. */
        record Rotated(String sessionId, SessionType type, String subject, String userId, String csrfNonce)
                implements Rotation {
        }

        /** An already-rotated token came back: the family has just been revoked. */
        record Reused() implements Rotation {
        }

        /** Unknown token, or its session ended (sign-out, reuse, password reset). */
        record Ended() implements Rotation {
        }
    }

    void createSession(NewSession session, String tokenId, String tokenHash, Instant expiresAt) {
        db.execute().dml("WITH s AS (INSERT INTO auth.sessions (id, session_type, subject, user_id, csrf_nonce, "
                        + "client_type, user_agent, ip_address) VALUES (?::uuid, ?, ?, CAST(? AS uuid), ?, ?, CAST(? AS text), "
                        + "CAST(? AS inet)) RETURNING id) "
                        + "INSERT INTO auth.refresh_tokens (id, session_id, token_hash, expires_at) SELECT ?::uuid, s.id, ?, ? FROM s",
                session.sessionId(), session.type().claim(), session.subject(), session.userId(), session.csrfNonce(),
                session.clientType().wireName(), truncate(session.userAgent()), session.ipAddress(),
                tokenId, tokenHash, Timestamp.from(expiresAt));
    }

    /**
     * Presents a refresh token (by hash) and, when it may be used, records its successor.
     *
     * @param grace how long after a rotation the old token still counts as a concurrent refresh
     */
    Rotation rotate(String presentedHash, String newTokenId, String newHash, Instant newExpiry, Duration grace) {
        return Transactions.run(db, tx -> {
            Optional<DbRow> found = tx.get("SELECT t.id::text AS token_id, t.session_id::text AS session_id, "
                    + "t.revoked_at IS NOT NULL AS token_revoked, extract(epoch FROM now() - t.rotated_at)::float8 AS rotated_ago, "
                    + "s.session_type, s.subject, s.user_id::text AS user_id, s.csrf_nonce, s.revoked_at IS NOT NULL AS session_revoked "
                    + "FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id "
                    + "WHERE t.token_hash = ? FOR UPDATE OF t, s", presentedHash);
            if (found.isEmpty() || found.get().column("session_revoked").get(Boolean.class)
                    || found.get().column("token_revoked").get(Boolean.class)) {
                return new Rotation.Ended();
            }
            DbRow row = found.get();
            String sessionId = row.column("session_id").get(String.class);
            String tokenId = row.column("token_id").get(String.class);
            Double rotatedAgo = row.column("rotated_ago").get(Double.class);
            if (rotatedAgo != null && rotatedAgo > grace.toMillis() / 1000.0) {
                revoke(tx, "id = ?::uuid", sessionId, "reuse");
                return new Rotation.Reused();
            }
            if (rotatedAgo == null) {
                tx.dml("UPDATE auth.refresh_tokens SET rotated_at = now() WHERE id = ?::uuid", tokenId);
            }
            tx.dml("INSERT INTO auth.refresh_tokens (id, session_id, parent_id, token_hash, expires_at) "
                    + "VALUES (?::uuid, ?::uuid, ?::uuid, ?, ?)", newTokenId, sessionId, tokenId, newHash, Timestamp.from(newExpiry));
            tx.dml("UPDATE auth.sessions SET refreshed_at = now() WHERE id = ?::uuid", sessionId);
            return new Rotation.Rotated(sessionId, SessionType.fromClaim(row.column("session_type").get(String.class)),
                    row.column("subject").get(String.class), row.column("user_id").get(String.class),
                    row.column("csrf_nonce").get(String.class));
        });
    }

    /** Ends the session a refresh token belongs to; true when a live session was ended. */
    boolean revokeByToken(String tokenHash, String reason) {
        return revoke(db.execute(), "id = (SELECT session_id FROM auth.refresh_tokens WHERE token_hash = ?)", tokenHash, reason);
    }

    /** Ends one session; true when it was live. */
    boolean revokeSession(String sessionId, String reason) {
        return revoke(db.execute(), "id = ?::uuid", sessionId, reason);
    }

    /** Ends every live session of a user (after a password reset). */
    void revokeAllOfUser(String userId, String reason) {
        revoke(db.execute(), "user_id = ?::uuid", userId, reason);
    }

    /** Forgets sessions whose every token expired more than a day ago. */
    long purgeExpired() {
        return db.execute().dml("DELETE FROM auth.sessions s WHERE NOT EXISTS (SELECT 1 FROM auth.refresh_tokens t "
                + "WHERE t.session_id = s.id AND t.expires_at > now() - interval '1 day')");
    }

    private static boolean revoke(DbExecute exec, String sessionCondition, String param, String reason) {
        return exec.get("WITH s AS (UPDATE auth.sessions SET revoked_at = now(), revoked_reason = ? "
                        + "WHERE " + sessionCondition + " AND revoked_at IS NULL RETURNING id), "
                        + "t AS (UPDATE auth.refresh_tokens r SET revoked_at = now() FROM s "
                        + "WHERE r.session_id = s.id AND r.revoked_at IS NULL RETURNING 1) "
                        + "SELECT count(*) AS ended FROM s", reason, param)
                .map(row -> row.column("ended").get(Long.class) > 0).orElse(false);
    }

    private static String truncate(String userAgent) {
        return userAgent == null || userAgent.length() <= 512 ? userAgent : userAgent.substring(0, 512);
    }
}
