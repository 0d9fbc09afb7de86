package dev.anvil.server.auth.oauth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The providers InsForge names ({@code oAuthProvidersSchema}), with the scopes a new config gets when
 * none are given. {@code implemented} says whether Anvil can sign in with it; the others can be
 * configured but answer 501 {@code AUTH_UNSUPPORTED_PROVIDER} when a sign-in starts.
 */
public enum BuiltInProvider {
    GOOGLE(true, "openid", "email", "profile"),
    GITHUB(true, "user:email"),
    DISCORD(false, "identify", "email"),
    LINKEDIN(false, "openid", "profile", "email"),
    FACEBOOK(false, "email", "public_profile"),
    INSTAGRAM(false, "user_profile", "user_media"),
    TIKTOK(false, "user.info.basic"),
    APPLE(false, "name", "email"),
    X(false, "tweet.read", "users.read"),
    SPOTIFY(false, "user-read-email", "user-read-private"),
    MICROSOFT(false, "User.Read");

    private final boolean implemented;
    private final List<String> defaultScopes;

    BuiltInProvider(boolean implemented, String... defaultScopes) {
        this.implemented = implemented;
        this.defaultScopes = List.of(defaultScopes);
    }

    /** The name on the wire and in {@code auth.user_providers}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean implemented() {
        return implemented;
    }

    public List<String> defaultScopes() {
        return defaultScopes;
    }

    public static Optional<BuiltInProvider> find(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
    }

    /** zod's enum message lists the options as {@code 'google' | 'github' | …}. */
    static String quotedNames() {
        return Arrays.stream(values()).map(p -> "'" + p.wireName() + "'").collect(Collectors.joining(" | "));
    }

    static String names() {
        return Arrays.stream(values()).map(BuiltInProvider::wireName).collect(Collectors.joining(", "));
    }
}
