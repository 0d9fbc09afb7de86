-- Server-side sessions and refresh tokens (auth owns versions 10-19).
-- InsForge's refresh tokens are stateless JWTs; Anvil keeps the same JWTs on the wire but records
-- each one here, so a refresh rotates it, a reused (already rotated) token revokes its whole
-- session, and signing out really ends the session.

-- One row per sign-in: the refresh-token family. The CSRF nonce lives here so the CSRF token a
-- browser holds stays valid across rotations.
CREATE TABLE IF NOT EXISTS auth.sessions (
    id             uuid PRIMARY KEY,
    session_type   text NOT NULL CHECK (session_type IN ('user', 'admin')),
    subject        text NOT NULL,
    user_id        uuid REFERENCES auth.users (id) ON DELETE CASCADE,
    csrf_nonce     text NOT NULL,
    client_type    text NOT NULL CHECK (client_type IN ('web', 'mobile', 'desktop', 'server')),
    user_agent     text,
    ip_address     inet,
    created_at     timestamptz NOT NULL DEFAULT now(),
    refreshed_at   timestamptz,
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse', 'password_reset'))
);
CREATE INDEX IF NOT EXISTS sessions_user_idx ON auth.sessions (user_id);

-- Every refresh token ever issued, by SHA-256 of the token (the token itself is never stored).
-- parent_id links a rotated token to its successor's predecessor, for auditing a family.
CREATE TABLE IF NOT EXISTS auth.refresh_tokens (
    id         uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
    parent_id  uuid REFERENCES auth.refresh_tokens (id) ON DELETE SET NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_idx ON auth.refresh_tokens (session_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_expires_idx ON auth.refresh_tokens (expires_at);

-- Link tokens (64 hex, stored as SHA-256) are looked up without the e-mail address.
CREATE INDEX IF NOT EXISTS email_otps_purpose_hash_idx ON auth.email_otps (purpose, otp_hash);
