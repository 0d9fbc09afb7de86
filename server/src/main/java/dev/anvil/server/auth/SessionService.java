package dev.anvil.server.auth;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import dev.anvil.server.http.JsonFields;
import dev.anvil.server.http.Principal;
import dev.anvil.server.http.RequestBody;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * End-user sessions (contract §2.5): sign-up ({@code POST /users}), sign-in by password or e-mail
 * code ({@code POST /sessions}), {@code POST /refresh}, {@code POST /logout} and
 * {@code GET /sessions/current}.
 */
final class SessionService implements HttpService {

    private static final String NOT_AUTHENTICATED = "User not authenticated";

    private final Credentials credentials;
    private final UserStore users;
    private final Passwords passwords;
    private final AuthConfigStore configs;
    private final SessionIssuer sessions;
    private final EmailCodes codes;
    private final AccountEmails emails;
    private final AuthRateLimits limits;

    SessionService(Credentials credentials, UserStore users, Passwords passwords, AuthConfigStore configs,
                   SessionIssuer sessions, EmailCodes codes, AccountEmails emails, AuthRateLimits limits) {
        this.credentials = credentials;
        this.users = users;
        this.passwords = passwords;
        this.configs = configs;
        this.sessions = sessions;
        this.codes = codes;
        this.emails = emails;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/users", this::signUp)
                .post("/sessions", this::signIn)
                .post("/refresh", (req, res) -> Json.send(res, sessions.refresh(req, res, SessionType.USER)))
                .post("/logout", (req, res) -> Json.send(res, sessions.signOut(req, res, SessionType.USER)))
                .get("/sessions/current", this::current);
    }

    /** Sign-up needs a credential (anon key at least), as InsForge's verifyUser does; admins create users without a session. */
    private void signUp(ServerRequest req, ServerResponse res) {
        boolean adminCaller = credentials.user(req).isAdmin();
        JsonFields body = RequestBody.object(req);
        String email = AuthInput.email(body, "email");
        String password = AuthInput.password(body, "password");
        Optional<String> name = AuthInput.name(body);
        Optional<String> redirectTo = AuthInput.url(body, "redirectTo");
        boolean autoConfirm = adminCaller && body.bool("autoConfirm").orElse(false);
        AuthConfig config = configs.get();
        if (config.disableSignup() && !adminCaller) {
            throw new ApiException(403, "AUTH_SIGNUP_DISABLED", "User signups are disabled for this project.");
        }
        if (!adminCaller) {
            limits.signUp.consume(req, res);
        }
        Passwords.checkLength(password);
        config.passwordProblem(password).ifPresent(problem -> {
            throw ApiException.invalidInput(problem);
        });
        boolean mailVerification = config.requireEmailVerification() && !adminCaller;
        String verifiedRedirect = mailVerification && config.verifiesByLink()
                ? AccountEmails.checkRedirect(config, redirectTo, AccountEmails.LinkFlow.VERIFICATION) : null;
        User user = users.create(email, Passwords.hash(password), autoConfirm, profileWithName(name));

        ObjectNode reply;
        if (config.requireEmailVerification() && !autoConfirm) {
            if (mailVerification) {
                sendVerificationAtSignUp(res, config, user, verifiedRedirect);
            }
            reply = Json.object();
            reply.putNull("accessToken");
            reply.put("requireEmailVerification", true);
        } else if (adminCaller) {
            reply = Json.object();
            reply.set("user", user.toJson());
            reply.put("accessToken", credentials.accessTokens().issue(user.id(), user.email(), Principal.AUTHENTICATED));
            reply.put("requireEmailVerification", false);
        } else {
            reply = sessions.signIn(req, res, user);
            reply.put("requireEmailVerification", false);
        }
        Json.send(res, reply);
    }

    /** The account exists either way; a mail that cannot go out is reported with InsForge's code. */
    private void sendVerificationAtSignUp(ServerResponse res, AuthConfig config, User user, String redirectTo) {
        try {
            limits.emailCooldown.consume(res, user.email());
            emails.sendVerification(config, user, redirectTo);
        } catch (ApiException e) {
            int status = e.status() == 429 ? 429 : 500;
            throw new ApiException(status, "AUTH_VERIFICATION_EMAIL_DELIVERY_FAILED",
                    "The account was created, but the verification email could not be sent: " + e.getMessage(),
                    "Request a new verification email with POST /api/auth/email/send-verification.");
        }
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        JsonFields body = RequestBody.object(req);
        JsonNode method = body.raw().get("method");
        String flow = method == null || method.isNull() ? "password" : method.isTextual() ? method.asText() : "";
        User user = switch (flow) {
            case "password" -> passwordSignIn(req, res, body);
            case "otp" -> codeSignIn(req, res, body);
            default -> throw ApiException.invalidInput("method: Invalid discriminator value. Expected 'password' | 'otp'");
        };
        Json.send(res, sessions.signIn(req, res, user));
    }

    private User passwordSignIn(ServerRequest req, ServerResponse res, JsonFields body) {
        String email = AuthInput.email(body, "email");
        String password = AuthInput.password(body, "password");
        limits.signInByAddress.check(req, res);
        limits.signInByEmail.check(res, email);
        Passwords.checkLength(password);
        Optional<User> user = users.byEmail(email);
        if (!passwords.matches(password, user.map(User::passwordHash).orElse(null))) {
            limits.signInByAddress.recordFailure(req);
            limits.signInByEmail.recordFailure(email);
            throw new ApiException(401, "AUTH_UNAUTHORIZED", "Invalid credentials");
        }
        if (configs.get().requireEmailVerification() && !user.get().emailVerified()) {
            throw new ApiException(403, "FORBIDDEN", "Email verification required",
                    "Please verify your email address before logging in");
        }
        return user.get();
    }

    /** A mailed sign-in code proves the address: the user is created (verified, passwordless) on first use. */
    private User codeSignIn(ServerRequest req, ServerResponse res, JsonFields body) {
        String email = AuthInput.email(body, "email");
        String code = AuthInput.sixDigitCode(body, "otp", "OTP code");
        Optional<String> name = AuthInput.name(body);
        limits.codeCheck(req, res, () -> codes.consumeCode(email, EmailCodes.Purpose.SIGN_IN, code));
        Optional<User> existing = users.byEmail(email);
        if (existing.isPresent()) {
            if (!existing.get().emailVerified()) {
                users.markVerified(existing.get().id());
                return users.byId(existing.get().id()).orElseThrow();
            }
            return existing.get();
        }
        if (configs.get().disableSignup()) {
            throw new ApiException(403, "AUTH_SIGNUP_DISABLED", "User signups are disabled for this project.");
        }
        return users.create(email, null, true, profileWithName(name));
    }

    private void current(ServerRequest req, ServerResponse res) {
        Principal.Token token = credentials.token(req);
        if (!Principal.AUTHENTICATED.equals(token.role()) || !AuthInput.isUuid(token.subject())) {
            throw new ApiException(401, "AUTH_INVALID_CREDENTIALS", NOT_AUTHENTICATED);
        }
        User user = users.byId(token.subject())
                .orElseThrow(() -> new ApiException(401, "AUTH_UNAUTHORIZED", "User not found"));
        ObjectNode reply = Json.object();
        reply.set("user", user.toJson());
        Json.send(res, reply);
    }

    static String profileWithName(Optional<String> name) {
        ObjectNode profile = Json.object();
        name.ifPresent(n -> profile.put("name", n));
        return Json.string(profile);
    }
}
