package dev.anvil.server.secrets;

import java.util.List;

import dev.anvil.server.config.Setting;

/** The instance's keys. Any left unset is generated on first start, stored, and never regenerated. */
public final class KeySettings {

    public static final Setting JWT_SECRET = Setting.optional("JWT_SECRET",
            "HS256 secret for refresh/internal tokens (and HS256 access tokens InsForge issued). Generated and stored encrypted if unset");
    public static final Setting ENCRYPTION_KEY = Setting.optional("ENCRYPTION_KEY",
            "Key material for AES-256-GCM secrets (SHA-256 of it is the key). Falls back to JWT_SECRET, then to a key generated into ANVIL_DATA_DIR/encryption.key");
    public static final Setting ACCESS_API_KEY = Setting.optional("ACCESS_API_KEY",
            "Admin API key (`ik_` + 64 hex). Generated if unset");
    public static final Setting ACCESS_ANON_KEY = Setting.optional("ACCESS_ANON_KEY",
            "Public anon key (`anon_` + 64 hex; the prefix is added if missing). Generated if unset");

    public static final List<Setting> ALL = List.of(JWT_SECRET, ENCRYPTION_KEY, ACCESS_API_KEY, ACCESS_ANON_KEY);

    private KeySettings() {
    }
}
