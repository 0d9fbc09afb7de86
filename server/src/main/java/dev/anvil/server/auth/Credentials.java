package dev.anvil.server.auth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Principal;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Credential dispatch (contract §1.1), shared by every route. The credential's <em>shape</em>
 * decides how it is checked — {@code Bearer ik_…} or {@code x-api-key} is the admin API key,
 * {@code Bearer anon_…} the anon key, any other bearer a JWT — and an invalid credential is always
 * a 401, never a downgrade to anonymous. The three guards match InsForge's middlewares:
 * {@link #user} (verifyUser), {@link #admin} (verifyAdmin), {@link #token} (verifyToken).
 */
public final class Credentials {

    public static final HeaderName X_API_KEY = HeaderNames.create("x-api-key");
    private static final String CHECK_TOKEN = "Check the token is valid or login to get a new token.";

    private final CompletableFuture<ProjectKeys> projectKeys;
    private final AccessTokens accessTokens;

    public Credentials(ProjectKeys projectKeys, AccessTokens accessTokens) {
        this(CompletableFuture.completedFuture(projectKeys), accessTokens);
    }

    /**
     * With the API and anon keys still loading, as {@link AccessTokens} takes its signing keys: the
     * server builds its services meanwhile and has both before it accepts connections; every check
     * waits for them.
     */
    public Credentials(CompletableFuture<ProjectKeys> projectKeys, AccessTokens accessTokens) {
        this.projectKeys = projectKeys;
        this.accessTokens = accessTokens;
    }

    public ProjectKeys projectKeys() {
        return projectKeys.join();
    }

    public AccessTokens accessTokens() {
        return accessTokens;
    }

    /** verifyUser: any valid credential — API key, anon key or access token. */
    public Principal user(ServerRequest req) {
        return resolve(req).orElseThrow(() -> new ApiException(401, "AUTH_INVALID_CREDENTIALS", "No token provided", CHECK_TOKEN));
    }

    /** verifyAdmin: the API key, or an access token with {@code role: project_admin}. */
    public Principal admin(ServerRequest req) {
        Principal principal = resolve(req).orElseThrow(() ->
                new ApiException(401, "AUTH_INVALID_CREDENTIALS", "No admin token provided", CHECK_TOKEN));
        if (!principal.isAdmin()) {
            throw new ApiException(403, "AUTH_UNAUTHORIZED", "Admin access required");
        }
        return principal;
    }

    /** verifyApiKey: the admin API key itself (the MCP server's telemetry route); admin sessions are refused. */
    public Principal apiKey(ServerRequest req) {
        Principal principal = resolve(req).orElseThrow(() ->
                new ApiException(401, "AUTH_INVALID_API_KEY", "API key is required", "Send the admin key as x-api-key or Bearer ik_…"));
        if (!(principal instanceof Principal.ApiKey)) {
            throw new ApiException(401, "AUTH_INVALID_API_KEY", "API key is required", "Send the admin key as x-api-key or Bearer ik_…");
        }
        return principal;
    }

    /** verifyToken: an access token (JWT) only; keys are refused as "Invalid token". */
    public Principal.Token token(ServerRequest req) {
        Optional<String> bearer = bearer(req);
        if (bearer.isEmpty()) {
            throw new ApiException(401, "AUTH_INVALID_CREDENTIALS", "No token provided", CHECK_TOKEN);
        }
        Principal principal = resolve(req).orElseThrow();
        if (principal instanceof Principal.Token token) {
            return token;
        }
        throw invalidToken();
    }

    /** The caller, if any credential was presented; a presented but invalid credential is a 401. */
    public Optional<Principal> resolve(ServerRequest req) {
        Optional<Principal> cached = req.context().get(Principal.class, Principal.class);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Principal> principal = resolveUncached(bearer(req), req.headers().first(X_API_KEY));
        principal.ifPresent(p -> req.context().register(Principal.class, p));
        return principal;
    }

    /**
     * Dispatch on raw credentials, for callers that do not come through HTTP headers (the realtime
     * handshake carries them in its CONNECT packet).
     */
    public Optional<Principal> resolveUncached(Optional<String> bearer, Optional<String> apiKeyHeader) {
        if (bearer.isPresent() && bearer.get().startsWith("ik_")) {
            return Optional.of(apiKey(bearer.get()));
        }
        if (apiKeyHeader.isPresent()) {
            return Optional.of(apiKey(apiKeyHeader.get()));
        }
        if (bearer.isEmpty()) {
            return Optional.empty();
        }
        String credential = bearer.get();
        if (credential.startsWith("anon_")) {
            if (!projectKeys().isAnonKey(credential)) {
                throw new ApiException(401, "AUTH_INVALID_CREDENTIALS", "Invalid anon key");
            }
            return Optional.of(new Principal.Anon());
        }
        return Optional.of(jwt(credential));
    }

    private Principal apiKey(String candidate) {
        if (!projectKeys().isApiKey(candidate)) {
            throw new ApiException(401, "AUTH_INVALID_API_KEY", "Invalid API key");
        }
        return new Principal.ApiKey();
    }

    private Principal jwt(String token) {
        try {
            return accessTokens.verify(token);
        } catch (InvalidTokenException e) {
            if (e.reason() == InvalidTokenException.Reason.NO_SUBJECT) {
                throw new ApiException(401, "AUTH_UNAUTHORIZED", "Invalid token subject");
            }
            throw invalidToken();
        }
    }

    private static ApiException invalidToken() {
        return new ApiException(401, "AUTH_UNAUTHORIZED", "Invalid token", CHECK_TOKEN);
    }

    /** The bearer credential from {@code Authorization}, if present and non-empty. */
    public static Optional<String> bearer(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION).flatMap(Credentials::bearerValue);
    }

    static Optional<String> bearerValue(String header) {
        String value = header.trim();
        if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String credential = value.substring(7).trim();
            return credential.isEmpty() ? Optional.empty() : Optional.of(credential);
        }
        return Optional.empty();
    }
}
