-- The platform schemas and tables InsForge clients expect (contract §12), owned by the server.
-- Domain migrations (auth 10-19, database 20-29, storage 30-39, realtime 40-49, functions 50-59,
-- oauth 60-69) extend these.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Schema system is created by Flyway, which keeps its history table there.
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE SCHEMA IF NOT EXISTS functions;
CREATE SCHEMA IF NOT EXISTS realtime;
CREATE SCHEMA IF NOT EXISTS email;

-- ---------------------------------------------------------------------------------------------
-- system
-- ---------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION system.update_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END
$$;

CREATE TABLE IF NOT EXISTS system.secrets (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key              text NOT NULL UNIQUE,
    value_ciphertext text NOT NULL,
    is_active        boolean NOT NULL DEFAULT true,
    is_reserved      boolean NOT NULL DEFAULT false,
    last_used_at     timestamptz,
    expires_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE TRIGGER secrets_update_timestamp BEFORE UPDATE ON system.secrets
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();

CREATE TABLE IF NOT EXISTS system.audit_logs (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor      text NOT NULL,
    action     text NOT NULL,
    module     text NOT NULL,
    details    jsonb,
    ip_address inet,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_logs_created_at_idx ON system.audit_logs (created_at DESC);

CREATE TABLE IF NOT EXISTS system.mcp_usage (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tool_name  text NOT NULL,
    success    boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS system.custom_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    statements text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Tells a PostgREST sidecar (and Anvil's own records engine) to re-read the schema.
CREATE OR REPLACE FUNCTION system.reload_postgrest_schema() RETURNS void
    LANGUAGE sql AS $$ SELECT pg_notify('pgrst', 'reload schema') $$;

-- ---------------------------------------------------------------------------------------------
-- auth
-- ---------------------------------------------------------------------------------------------

-- The claims of the current request, as PostgREST and Anvil set them for each transaction.
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

-- The caller's user id; NULL for anon, for the API key, and for admin sessions (sub "local:admin").
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN sub::uuid END
    FROM (SELECT auth.jwt() ->> 'sub' AS sub) AS claims
$$;

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT auth.jwt() ->> 'role' $$;

CREATE OR REPLACE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT auth.jwt() ->> 'email' $$;

CREATE TABLE IF NOT EXISTS auth.users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email            text NOT NULL UNIQUE,
    password         text,
    email_verified   boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    profile          jsonb DEFAULT '{}'::jsonb,
    metadata         jsonb DEFAULT '{}'::jsonb,
    is_project_admin boolean NOT NULL DEFAULT false,
    is_anonymous     boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS users_email_lower_idx ON auth.users (lower(email));
CREATE OR REPLACE TRIGGER users_update_timestamp BEFORE UPDATE ON auth.users
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();

CREATE TABLE IF NOT EXISTS auth.user_providers (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    provider            text NOT NULL,
    provider_account_id text NOT NULL,
    access_token        text,
    refresh_token       text,
    provider_data       jsonb,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_account_id)
);
CREATE INDEX IF NOT EXISTS user_providers_user_idx ON auth.user_providers (user_id);

CREATE TABLE IF NOT EXISTS auth.config (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    singleton                  boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
    require_email_verification boolean NOT NULL DEFAULT false,
    password_min_length        integer NOT NULL DEFAULT 6 CHECK (password_min_length BETWEEN 4 AND 128),
    require_number             boolean NOT NULL DEFAULT false,
    require_lowercase          boolean NOT NULL DEFAULT false,
    require_uppercase          boolean NOT NULL DEFAULT false,
    require_special_char       boolean NOT NULL DEFAULT false,
    verify_email_method        text NOT NULL DEFAULT 'code' CHECK (verify_email_method IN ('code', 'link')),
    reset_password_method      text NOT NULL DEFAULT 'code' CHECK (reset_password_method IN ('code', 'link')),
    allowed_redirect_urls      text[] NOT NULL DEFAULT '{}',
    disable_signup             boolean NOT NULL DEFAULT false,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);
INSERT INTO auth.config (singleton) VALUES (true) ON CONFLICT (singleton) DO NOTHING;
CREATE OR REPLACE TRIGGER config_update_timestamp BEFORE UPDATE ON auth.config
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();

CREATE TABLE IF NOT EXISTS auth.email_otps (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          text NOT NULL,
    purpose        text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'RESET_PASSWORD', 'SIGN_IN')),
    otp_hash       text NOT NULL,
    otp_type       text NOT NULL DEFAULT 'NUMERIC_CODE',
    expires_at     timestamptz NOT NULL,
    consumed_at    timestamptz,
    redirect_to    text,
    attempts_count integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (email, purpose)
);

CREATE TABLE IF NOT EXISTS auth.oauth_configs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider          text NOT NULL UNIQUE,
    client_id         text,
    secret_id         uuid REFERENCES system.secrets (id) ON DELETE SET NULL,
    scopes            text[],
    redirect_uri      text,
    use_shared_key    boolean NOT NULL DEFAULT false,
    native_client_ids text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS auth.custom_oauth_configs (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key                text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9_-]+$'),
    name               text NOT NULL,
    discovery_endpoint text NOT NULL,
    client_id          text NOT NULL,
    secret_id          uuid REFERENCES system.secrets (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- email
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS email.config (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    singleton            boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
    enabled              boolean NOT NULL DEFAULT false,
    host                 text,
    port                 integer,
    username             text,
    password_encrypted   text,
    sender_email         text,
    sender_name          text,
    min_interval_seconds integer NOT NULL DEFAULT 60,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS email.templates (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    template_type text NOT NULL UNIQUE,
    subject       text NOT NULL,
    body_html     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- storage
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS storage.buckets (
    name              text PRIMARY KEY,
    public            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    cors_rules        jsonb,
    versioning_status text NOT NULL DEFAULT 'Disabled'
);

CREATE TABLE IF NOT EXISTS storage.objects (
    bucket           text NOT NULL REFERENCES storage.buckets (name) ON DELETE CASCADE ON UPDATE CASCADE,
    key              text NOT NULL,
    size             integer NOT NULL,
    mime_type        text,
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    uploaded_by      text,
    uploaded_via     text NOT NULL DEFAULT 'rest' CHECK (uploaded_via IN ('rest', 's3', 'dashboard')),
    s3_access_key_id text,
    etag             text,
    PRIMARY KEY (bucket, key)
);

CREATE TABLE IF NOT EXISTS storage.object_tags (
    bucket text NOT NULL,
    key    text NOT NULL,
    tag    text NOT NULL,
    value  text NOT NULL DEFAULT '',
    PRIMARY KEY (bucket, key, tag),
    FOREIGN KEY (bucket, key) REFERENCES storage.objects (bucket, key) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE IF NOT EXISTS storage.config (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    singleton        boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
    max_file_size_mb integer NOT NULL DEFAULT 50 CHECK (max_file_size_mb BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO storage.config (singleton) VALUES (true) ON CONFLICT (singleton) DO NOTHING;

CREATE TABLE IF NOT EXISTS storage.s3_access_keys (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    access_key_id     text NOT NULL UNIQUE,
    secret_id         uuid REFERENCES system.secrets (id) ON DELETE CASCADE,
    description       text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_used_at      timestamptz
);

-- Path helpers for policies, e.g. (storage.foldername(key))[1] = auth.uid()::text
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN array_length(parts, 1) > 1 THEN parts[1:array_length(parts, 1) - 1] ELSE '{}'::text[] END
    FROM (SELECT string_to_array(name, '/') AS parts) AS p
$$;

CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)]
$$;

CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN position('.' IN storage.filename(name)) > 0
                THEN lower(reverse(split_part(reverse(storage.filename(name)), '.', 1)))
                ELSE '' END
$$;

-- ---------------------------------------------------------------------------------------------
-- functions
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS functions.definitions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        varchar(255) NOT NULL UNIQUE,
    name        varchar(255) NOT NULL,
    description text,
    code        text NOT NULL,
    status      varchar(50) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'error')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deployed_at timestamptz
);
CREATE OR REPLACE TRIGGER definitions_update_timestamp BEFORE UPDATE ON functions.definitions
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();

CREATE TABLE IF NOT EXISTS functions.deployments (
    id             text PRIMARY KEY,
    project_id     text,
    status         text NOT NULL,
    url            text,
    function_count integer,
    functions      jsonb,
    error_message  text,
    build_logs     jsonb,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- realtime
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS realtime.channels (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pattern      text NOT NULL UNIQUE,
    description  text,
    webhook_urls text[],
    enabled      boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE TRIGGER channels_update_timestamp BEFORE UPDATE ON realtime.channels
    FOR EACH ROW EXECUTE FUNCTION system.update_updated_at();

CREATE TABLE IF NOT EXISTS realtime.messages (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_name         text NOT NULL,
    channel_id         uuid REFERENCES realtime.channels (id) ON DELETE SET NULL,
    channel_name       text NOT NULL,
    payload            jsonb NOT NULL DEFAULT '{}'::jsonb,
    sender_type        text NOT NULL DEFAULT 'system' CHECK (sender_type IN ('system', 'user')),
    sender_id          uuid,
    ws_audience_count  integer NOT NULL DEFAULT 0,
    wh_audience_count  integer NOT NULL DEFAULT 0,
    wh_delivered_count integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS messages_channel_created_idx ON realtime.messages (channel_id, created_at DESC);
CREATE INDEX IF NOT EXISTS messages_created_idx ON realtime.messages (created_at DESC);

CREATE TABLE IF NOT EXISTS realtime.config (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    singleton      boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
    retention_days integer CHECK (retention_days IS NULL OR retention_days > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO realtime.config (singleton) VALUES (true) ON CONFLICT (singleton) DO NOTHING;

CREATE OR REPLACE FUNCTION realtime.channel_name() RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('realtime.channel_name', true), '') $$;

CREATE OR REPLACE FUNCTION realtime.notify_message() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('realtime_message', NEW.id::text);
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER messages_notify AFTER INSERT ON realtime.messages
    FOR EACH ROW EXECUTE FUNCTION realtime.notify_message();

-- Publish from database code: picks the best enabled channel (exact pattern first), stores the
-- message as the system, and returns its id (NULL when no channel matches).
CREATE OR REPLACE FUNCTION realtime.publish(channel text, event text, payload jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, realtime AS $$
DECLARE
    matched uuid;
    message uuid;
BEGIN
    SELECT c.id INTO matched FROM realtime.channels c
    WHERE c.enabled AND (c.pattern = channel OR channel LIKE c.pattern)
    ORDER BY (c.pattern = channel) DESC, length(c.pattern) DESC
    LIMIT 1;
    IF matched IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO realtime.messages (event_name, channel_id, channel_name, payload, sender_type)
    VALUES (event, matched, channel, coalesce(payload, '{}'::jsonb), 'system')
    RETURNING id INTO message;
    RETURN message;
END
$$;

CREATE OR REPLACE FUNCTION realtime.cleanup_messages() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, realtime AS $$
DECLARE
    days integer;
    removed integer;
BEGIN
    SELECT retention_days INTO days FROM realtime.config LIMIT 1;
    IF days IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM realtime.messages WHERE created_at < now() - make_interval(days => days);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
