package dev.anvil.server.auth;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Settings of sign-in, tokens and sessions. */
public final class AuthSettings {

    public static final Setting ACCESS_TOKEN_TTL = Setting.of("ANVIL_ACCESS_TOKEN_TTL_SECONDS", "900",
            "Lifetime of access tokens (JWT) in seconds");

    public static final List<Setting> ALL = List.of(ACCESS_TOKEN_TTL);

    private AuthSettings() {
    }
}
