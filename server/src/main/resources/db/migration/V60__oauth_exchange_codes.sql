-- One-time codes of the OAuth PKCE flow (OAuth owns versions 60-69). After the provider callback the
-- browser is sent back to the app with ?insforge_code=<code>; the app trades it, with its PKCE
-- verifier, for a session. InsForge keeps these codes in process memory; here they live in the
-- database so the callback and the exchange may reach different replicas. Only the SHA-256 of a
-- code is stored, and a code is deleted when it is used (right or wrong verifier), so it works once.
CREATE TABLE IF NOT EXISTS auth.oauth_exchange_codes (
    code_hash      text PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    provider       text NOT NULL,
    code_challenge text NOT NULL,
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS oauth_exchange_codes_expires_idx ON auth.oauth_exchange_codes (expires_at);
