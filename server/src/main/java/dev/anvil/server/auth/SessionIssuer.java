package dev.anvil.server.auth;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.ClientAddress;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.RequestBody;
import io.helidon.dbclient.DbClient;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Starts, refreshes and ends sessions the way InsForge clients expect, for every way of signing in
 * (password, e-mail code, verification, OAuth code exchange, ID token): each sign-in records a
 * session, and the answer carries the refresh token in an HttpOnly cookie plus a {@code csrfToken}
 * (web) or in the body as {@code refreshToken} (mobile, desktop, server) — see {@link ClientType}.
 * Access tokens name their session ({@code sid}), so sign-out can end it even when only the access
 * token is presented.
 */
public final class SessionIssuer {

    private static final System.Logger LOG = System.getLogger(SessionIssuer.class.getName());
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    private static final HeaderName CSRF_HEADER = HeaderNames.create("X-CSRF-Token");

    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final RefreshTokenStore store;
    private final SessionCookies cookies;
    private final UserStore users;
    private final RootAdmin admin;
    private final Duration refreshTtl;
    private final Duration reuseGrace;
    private final Clock clock;
    private final AtomicReference<Instant> lastPurge;

    public SessionIssuer(AccessTokens accessTokens, DbClient db, UserStore users, RootAdmin admin,
                         Duration refreshTtl, Duration reuseGrace, Clock clock) {
        this.accessTokens = accessTokens;
        this.refreshTokens = new RefreshTokens(accessTokens);
        this.store = new RefreshTokenStore(db);
        this.cookies = new SessionCookies(refreshTtl);
        this.users = users;
        this.admin = admin;
        this.refreshTtl = refreshTtl;
        this.reuseGrace = reuseGrace;
        this.clock = clock;
        this.lastPurge = new AtomicReference<>(clock.instant());
    }

    /** The tokens of a started or refreshed session; exactly one of refresh token (non-web) or CSRF token (web) is sent. */
    private record Issued(String sessionId, String refreshToken, String csrfToken) {
    }

    /**
     * Signs a user in: records a new session and returns {@code {user, accessToken, csrfToken}} (web,
     * with the refresh cookie set on {@code res}) or {@code {user, accessToken, refreshToken}}. Routes
     * add their own fields and send it.
     */
    public ObjectNode signIn(ServerRequest req, ServerResponse res, User user) {
        ClientType client = ClientType.of(req);
        Issued issued = start(req, res, client, SessionType.USER, user.id(), user.id());
        ObjectNode body = Json.object();
        body.set("user", user.toJson());
        body.put("accessToken", accessTokens.issue(user.id(), user.email(), Principal.AUTHENTICATED, issued.sessionId()));
        putSessionToken(body, client, issued);
        return body;
    }

    /** Signs the configured admin in: {@code {admin: {sub}, accessToken, csrfToken | refreshToken}}. */
    public ObjectNode signInAdmin(ServerRequest req, ServerResponse res) {
        ClientType client = ClientType.of(req);
        Issued issued = start(req, res, client, SessionType.ADMIN, admin.subject(), null);
        return adminBody(client, issued);
    }

    /**
     * {@code POST /api/auth/refresh} and {@code /api/auth/admin/refresh}: checks the presented refresh
     * token (cookie + CSRF header for web, body otherwise), rotates it, and answers like a sign-in
     * without the {@code user}'s session changing. A 401 clears the refresh cookie.
     */
    public ObjectNode refresh(ServerRequest req, ServerResponse res, SessionType type) {
        ClientType client = ClientType.of(req);
        try {
            String presented = presentedRefreshToken(req, client, type)
                    .orElseThrow(() -> unauthorized("No refresh token provided"));
            RefreshTokens.Claims claims = claimsOf(presented, type);
            checkCsrf(req, client, claims);
            Instant now = clock.instant();
            String tokenId = UUID.randomUUID().toString();
            Instant expiresAt = now.plus(refreshTtl);
            String successor = refreshTokens.mint(tokenId, claims.subject(), type, claims.csrfNonce(), now, expiresAt);
            RefreshTokenStore.Rotation.Rotated rotated = rotate(presented, claims, tokenId, successor, expiresAt);
            Issued issued = new Issued(rotated.sessionId(), successor,
                    refreshTokens.csrfToken(type, claims.subject(), claims.csrfNonce()));
            ObjectNode body;
            if (type == SessionType.ADMIN) {
                if (!admin.isCurrent(rotated.subject())) {
                    store.revokeSession(rotated.sessionId(), "logout");
                    throw unauthorized("Admin session is no longer valid");
                }
                body = adminBody(client, issued);
            } else {
                User user = users.byId(rotated.userId()).orElseThrow(() -> unauthorized("User not found"));
                body = Json.object();
                body.put("accessToken", accessTokens.issue(user.id(), user.email(), Principal.AUTHENTICATED, issued.sessionId()));
                body.set("user", user.toJson());
                putSessionToken(body, client, issued);
            }
            if (client.usesCookie()) {
                cookies.set(res, type, successor);
            }
            return body;
        } catch (ApiException e) {
            if (e.status() == 401 && client.usesCookie()) {
                cookies.clear(res, type);
            }
            throw e;
        }
    }

    /**
     * {@code POST /api/auth/logout} and {@code /api/auth/admin/logout}: ends the session named by the
     * refresh cookie (which then needs the CSRF header), by a refresh token in the body, or by the
     * {@code sid} of the access token presented — whichever the client sent — and clears the cookie.
     * Invalid or unknown tokens are ignored: signing out always succeeds. Returns the reply,
     * {@code {success: true, message}}.
     */
    public ObjectNode signOut(ServerRequest req, ServerResponse res, SessionType type) {
        ClientType client = ClientType.of(req);
        Optional<String> presented = presentedRefreshToken(req, client, type);
        if (presented.isPresent()) {
            Optional<RefreshTokens.Claims> claims = tryClaims(presented.get());
            if (claims.isPresent()) {
                if (claims.get().sessionType() != type) {
                    throw unauthorized("Invalid refresh session type");
                }
                checkCsrf(req, client, claims.get());
                store.revokeByToken(RefreshTokens.hash(presented.get()), "logout");
            }
        }
        sessionOfAccessToken(req, type).ifPresent(sessionId -> store.revokeSession(sessionId, "logout"));
        cookies.clear(res, type);
        ObjectNode reply = Json.object();
        reply.put("success", true);
        reply.put("message", "Logged out successfully");
        return reply;
    }

    /** Ends every session of a user (a password reset makes stolen refresh tokens worthless). */
    public void endAllSessions(String userId) {
        store.revokeAllOfUser(userId, "password_reset");
    }

    private Issued start(ServerRequest req, ServerResponse res, ClientType client, SessionType type, String subject, String userId) {
        purgeNowAndThen();
        String sessionId = UUID.randomUUID().toString();
        String tokenId = UUID.randomUUID().toString();
        String nonce = RefreshTokens.newNonce();
        Instant now = clock.instant();
        Instant expiresAt = now.plus(refreshTtl);
        String refreshToken = refreshTokens.mint(tokenId, subject, type, nonce, now, expiresAt);
        store.createSession(new RefreshTokenStore.NewSession(sessionId, type, subject, userId, nonce, client,
                        req.headers().first(HeaderNames.USER_AGENT).orElse(null), ClientAddress.of(req)),
                tokenId, RefreshTokens.hash(refreshToken), expiresAt);
        if (client.usesCookie()) {
            cookies.set(res, type, refreshToken);
        }
        return new Issued(sessionId, refreshToken, refreshTokens.csrfToken(type, subject, nonce));
    }

    /** Records the successor of a presented token, or refuses: reused (family now revoked) or ended. */
    private RefreshTokenStore.Rotation.Rotated rotate(String presented, RefreshTokens.Claims claims, String successorId,
                                                      String successor, Instant expiresAt) {
        RefreshTokenStore.Rotation rotation = store.rotate(RefreshTokens.hash(presented), successorId,
                RefreshTokens.hash(successor), expiresAt, reuseGrace);
        RefreshTokenStore.Rotation.Rotated rotated = switch (rotation) {
            case RefreshTokenStore.Rotation.Rotated r -> r;
            case RefreshTokenStore.Rotation.Reused r -> {
                LOG.log(Level.WARNING, "A rotated refresh token was presented again; revoked the session of " + claims.subject());
                throw unauthorized("Refresh token has already been used; the session has been revoked");
            }
            case RefreshTokenStore.Rotation.Ended r -> throw unauthorized("Refresh token has been revoked or has expired");
        };
        if (!rotated.subject().equals(claims.subject()) || rotated.type() != claims.sessionType()) {
            throw unauthorized("Invalid or expired refresh token");
        }
        return rotated;
    }

    /** Web sessions prove each refresh and sign-out with the session's CSRF token (403 otherwise). */
    private void checkCsrf(ServerRequest req, ClientType client, RefreshTokens.Claims claims) {
        if (client.usesCookie() && !refreshTokens.csrfMatches(req.headers().first(CSRF_HEADER).orElse(null), claims)) {
            throw ApiException.forbidden("Invalid CSRF token");
        }
    }

    private ObjectNode adminBody(ClientType client, Issued issued) {
        ObjectNode body = Json.object();
        body.putObject("admin").put("sub", admin.subject());
        body.put("accessToken", accessTokens.issue(admin.subject(), null, Principal.PROJECT_ADMIN, issued.sessionId()));
        putSessionToken(body, client, issued);
        return body;
    }

    private static void putSessionToken(ObjectNode body, ClientType client, Issued issued) {
        if (client.usesCookie()) {
            body.put("csrfToken", issued.csrfToken());
        } else {
            body.put("refreshToken", issued.refreshToken());
        }
    }

    /** Web: the cookie. Others: {@code refreshToken} or {@code refresh_token} in the JSON body (the SDK sends both spellings). */
    private static Optional<String> presentedRefreshToken(ServerRequest req, ClientType client, SessionType type) {
        if (client.usesCookie()) {
            return SessionCookies.read(req, type);
        }
        JsonFields body = RequestBody.object(req);
        return body.string("refreshToken").or(() -> body.string("refresh_token")).filter(token -> !token.isBlank());
    }

    private RefreshTokens.Claims claimsOf(String token, SessionType type) {
        RefreshTokens.Claims claims = tryClaims(token).orElseThrow(() -> unauthorized("Invalid or expired refresh token"));
        if (claims.sessionType() != type) {
            throw unauthorized("Invalid refresh session type");
        }
        return claims;
    }

    private Optional<RefreshTokens.Claims> tryClaims(String token) {
        try {
            return Optional.of(refreshTokens.parse(token));
        } catch (InvalidTokenException e) {
            return Optional.empty();
        }
    }

    /** The {@code sid} of a valid access token of the right kind sent as bearer, if any. */
    private Optional<String> sessionOfAccessToken(ServerRequest req, SessionType type) {
        Optional<String> bearer = Credentials.bearer(req).filter(b -> !b.startsWith("ik_") && !b.startsWith("anon_"));
        if (bearer.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (accessTokens.verify(bearer.get()) instanceof Principal.Token token
                    && token.role().equals(type == SessionType.ADMIN ? Principal.PROJECT_ADMIN : Principal.AUTHENTICATED)
                    && token.claims().get("sid") instanceof String sid && AuthInput.isUuid(sid)) {
                return Optional.of(sid);
            }
        } catch (InvalidTokenException e) {
            // An expired or foreign access token cannot name a session; the cookie or body token still can.
        }
        return Optional.empty();
    }

    private void purgeNowAndThen() {
        Instant now = clock.instant();
        Instant last = lastPurge.get();
        if (Duration.between(last, now).compareTo(PURGE_EVERY) > 0 && lastPurge.compareAndSet(last, now)) {
            Thread.ofVirtual().name("anvil-session-purge").start(() -> {
                try {
                    store.purgeExpired();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Could not purge expired sessions: " + e.getMessage());
                }
            });
        }
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "AUTH_UNAUTHORIZED", message);
    }
}
