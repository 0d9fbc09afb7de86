package dev.anvil.server.auth.oauth;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.AuthConfigStore;
import dev.anvil.server.auth.Transactions;
import dev.anvil.server.auth.User;
import dev.anvil.server.auth.UserStore;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.Json;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbTransaction;

/**
 * Turns a provider's identity into a user, in one transaction ({@code auth.user_providers} links the
 * two):
 * <ol>
 *   <li>an account already linked signs its user in (its provider data is refreshed);</li>
 *   <li>otherwise a user with the same e-mail gets the account linked — only when the provider has
 *       verified the address, since anyone can put any address on a provider account; the
 *       user's e-mail then counts as verified;</li>
 *   <li>otherwise a new user is created (unless sign-ups are disabled), passwordless, with the
 *       provider's name and picture as profile, verified if the provider verified the address.</li>
 * </ol>
 */
final class ProviderAccounts {

    private final DbClient db;
    private final UserStore users;
    private final AuthConfigStore configs;

    ProviderAccounts(DbClient db, UserStore users, AuthConfigStore configs) {
        this.db = db;
        this.users = users;
        this.configs = configs;
    }

    User signIn(ProviderIdentity identity) {
        String userId = Transactions.run(db, tx -> linkedUser(tx, identity)
                .or(() -> userWithSameEmail(tx, identity))
                .orElseGet(() -> newUser(tx, identity)));
        return users.byId(userId).orElseThrow(() -> new IllegalStateException("user " + userId + " vanished"));
    }

    private Optional<String> linkedUser(DbTransaction tx, ProviderIdentity identity) {
        Optional<String> userId = tx.get("UPDATE auth.user_providers SET provider_data = CAST(? AS jsonb), updated_at = now() "
                                + "WHERE provider = ? AND provider_account_id = ? RETURNING user_id::text AS user_id",
                        Json.string(identity.profile()), identity.provider(), identity.accountId())
                .map(row -> row.column("user_id").get(String.class));
        userId.ifPresent(id -> markVerifiedIfSameEmail(tx, id, identity));
        return userId;
    }

    private Optional<String> userWithSameEmail(DbTransaction tx, ProviderIdentity identity) {
        Optional<String> userId = tx.get("SELECT id::text AS id FROM auth.users WHERE lower(email) = lower(?) FOR UPDATE",
                identity.email()).map(row -> row.column("id").get(String.class));
        if (userId.isEmpty()) {
            return Optional.empty();
        }
        if (!identity.emailVerified()) {
            throw new ApiException(403, "FORBIDDEN", "An account with the email " + identity.email() + " already exists, and "
                    + identity.provider() + " has not verified that this email belongs to you",
                    "Verify the email address at " + identity.provider() + ", or sign in another way.");
        }
        link(tx, userId.get(), identity);
        markVerifiedIfSameEmail(tx, userId.get(), identity);
        return userId;
    }

    private String newUser(DbTransaction tx, ProviderIdentity identity) {
        if (configs.get().disableSignup()) {
            throw new ApiException(403, "AUTH_SIGNUP_DISABLED", "User signups are disabled for this project.");
        }
        ObjectNode profile = Json.object();
        profile.put("name", identity.name());
        profile.put("avatar_url", identity.avatarUrl());
        String userId = tx.get("INSERT INTO auth.users (email, email_verified, profile) VALUES (?, ?, CAST(? AS jsonb)) "
                        + "RETURNING id::text AS id", identity.email(), identity.emailVerified(), Json.string(profile))
                .map(row -> row.column("id").get(String.class)).orElseThrow();
        link(tx, userId, identity);
        return userId;
    }

    private static void link(DbTransaction tx, String userId, ProviderIdentity identity) {
        tx.dml("INSERT INTO auth.user_providers (user_id, provider, provider_account_id, provider_data) "
                        + "VALUES (?::uuid, ?, ?, CAST(? AS jsonb))",
                userId, identity.provider(), identity.accountId(), Json.string(identity.profile()));
    }

    private static void markVerifiedIfSameEmail(DbTransaction tx, String userId, ProviderIdentity identity) {
        if (identity.emailVerified()) {
            tx.dml("UPDATE auth.users SET email_verified = true WHERE id = ?::uuid AND NOT email_verified "
                    + "AND lower(email) = lower(?)", userId, identity.email());
        }
    }
}
