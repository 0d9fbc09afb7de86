-- Realtime delivery across replicas (Anvil): presence kept in Postgres instead of per-process
-- memory, one webhook dispatch per message whichever replica sees it first, and tighter defaults.

-- Which replica took charge of a message's webhooks: every replica receives the NOTIFY, exactly
-- one (the first to set this) posts to the channel's webhook URLs.
ALTER TABLE realtime.messages ADD COLUMN IF NOT EXISTS webhook_claimed_at timestamptz;

-- The servers that hold presence rows, with a heartbeat: a replica that stops beating (crashed,
-- partitioned) is swept by the others and its members leave their channels.
CREATE TABLE IF NOT EXISTS realtime.presence_servers (
    server_id    uuid PRIMARY KEY,
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- One row per subscribed socket; a logical member (a user, or an anonymous socket) is present in a
-- channel while at least one of its rows lives on a live server.
CREATE TABLE IF NOT EXISTS realtime.presence (
    channel       text NOT NULL,
    socket_id     text NOT NULL,
    server_id     uuid NOT NULL REFERENCES realtime.presence_servers (server_id) ON DELETE CASCADE,
    presence_type text NOT NULL CHECK (presence_type IN ('user', 'anonymous')),
    presence_id   text NOT NULL,
    joined_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, socket_id)
);
CREATE INDEX IF NOT EXISTS presence_member_idx ON realtime.presence (channel, presence_id);
CREATE INDEX IF NOT EXISTS presence_server_idx ON realtime.presence (server_id);

-- ISO-8601 UTC with milliseconds, the way JavaScript's Date#toISOString prints it.
CREATE OR REPLACE FUNCTION realtime.iso_now() RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE OR REPLACE FUNCTION realtime.presence_member(p_type text, p_id text, p_joined timestamptz) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('type', p_type, 'presenceId', p_id,
        'joinedAt', to_char(p_joined AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

-- Tells every replica a member joined or left; each emits to its own sockets in the room except
-- `except_socket` (the socket that caused it). NOTIFY is sent at commit, so never for a rollback.
CREATE OR REPLACE FUNCTION realtime.presence_notify(p_event text, p_channel text, p_member jsonb, p_except text)
    RETURNS void LANGUAGE sql AS $$
    SELECT pg_notify('realtime_presence', jsonb_build_object(
        'event', p_event, 'channel', p_channel, 'except', p_except, 'member', p_member,
        'messageId', gen_random_uuid(), 'timestamp', realtime.iso_now())::text)
$$;

-- The members of a channel: one per presence id, joined when its first live socket joined.
CREATE OR REPLACE FUNCTION realtime.presence_members(p_channel text, p_expiry interval) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(realtime.presence_member(m.presence_type, m.presence_id, m.joined_at)
                              ORDER BY m.joined_at), '[]'::jsonb)
    FROM (SELECT p.presence_type, p.presence_id, min(p.joined_at) AS joined_at
          FROM realtime.presence p JOIN realtime.presence_servers s USING (server_id)
          WHERE p.channel = p_channel AND s.heartbeat_at > now() - p_expiry
          GROUP BY p.presence_type, p.presence_id) m
$$;

-- A socket joins a channel's presence; returns the members including it. Serialised per
-- (channel, member) so two sockets of one user joining on two replicas announce it once.
CREATE OR REPLACE FUNCTION realtime.presence_join(p_server uuid, p_socket text, p_channel text,
                                                  p_type text, p_presence_id text, p_expiry interval)
    RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    already boolean;
    joined timestamptz := clock_timestamp();
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('realtime.presence'), hashtext(p_channel || '|' || p_presence_id));
    SELECT EXISTS (SELECT 1 FROM realtime.presence p JOIN realtime.presence_servers s USING (server_id)
                   WHERE p.channel = p_channel AND p.presence_id = p_presence_id AND p.socket_id <> p_socket
                     AND s.heartbeat_at > now() - p_expiry) INTO already;
    -- Normally present already (heartbeat); DO NOTHING takes no row lock, so joins do not queue on it.
    INSERT INTO realtime.presence_servers (server_id) VALUES (p_server) ON CONFLICT (server_id) DO NOTHING;
    INSERT INTO realtime.presence (channel, socket_id, server_id, presence_type, presence_id, joined_at)
        VALUES (p_channel, p_socket, p_server, p_type, p_presence_id, joined)
        ON CONFLICT (channel, socket_id) DO NOTHING;
    IF NOT already THEN
        PERFORM realtime.presence_notify('presence:join', p_channel,
            realtime.presence_member(p_type, p_presence_id, joined), p_socket);
    END IF;
    RETURN realtime.presence_members(p_channel, p_expiry);
END
$$;

-- Removes presence rows and announces each member whose last live socket went.
CREATE OR REPLACE FUNCTION realtime.presence_remove(p_channel text, p_socket text, p_expiry interval)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    gone record;
    first_joined timestamptz;
BEGIN
    DELETE FROM realtime.presence WHERE channel = p_channel AND socket_id = p_socket RETURNING * INTO gone;
    IF gone IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('realtime.presence'), hashtext(p_channel || '|' || gone.presence_id));
    IF NOT EXISTS (SELECT 1 FROM realtime.presence p JOIN realtime.presence_servers s USING (server_id)
                   WHERE p.channel = p_channel AND p.presence_id = gone.presence_id
                     AND s.heartbeat_at > now() - p_expiry) THEN
        PERFORM realtime.presence_notify('presence:leave', p_channel,
            realtime.presence_member(gone.presence_type, gone.presence_id, gone.joined_at), p_socket);
    END IF;
END
$$;

-- Sweeps servers whose heartbeat expired (and, on shutdown, the caller's own server): their
-- sockets leave every channel they were in. Returns how many presence rows were removed.
CREATE OR REPLACE FUNCTION realtime.presence_sweep(p_expiry interval, p_also uuid) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    dead uuid;
    row record;
    removed integer := 0;
BEGIN
    FOR dead IN SELECT server_id FROM realtime.presence_servers
                WHERE heartbeat_at <= now() - p_expiry OR server_id = p_also
                FOR UPDATE SKIP LOCKED LOOP
        -- Mark it dead first so the leave checks below no longer count its sockets.
        UPDATE realtime.presence_servers SET heartbeat_at = '-infinity' WHERE server_id = dead;
        FOR row IN SELECT channel, socket_id FROM realtime.presence WHERE server_id = dead LOOP
            PERFORM realtime.presence_remove(row.channel, row.socket_id, p_expiry);
            removed := removed + 1;
        END LOOP;
        DELETE FROM realtime.presence_servers WHERE server_id = dead;
    END LOOP;
    RETURN removed;
END
$$;

-- A socket's subscribe check and publish, each one statement (one round trip) instead of a
-- transaction of four: the function switches to the caller's role and claims with set_config(...,
-- true) — which ends with the statement's own transaction — and then runs the check or the INSERT
-- as that role, so grants and RLS policies decide exactly as in a role-scoped transaction
-- (privileges are checked when a statement executes, and Postgres re-plans a cached plan that
-- depends on RLS when the role differs). The matched channel is the best enabled one: the exact
-- pattern, then the longest LIKE pattern.
CREATE OR REPLACE FUNCTION realtime.act_as(p_role text, p_claims text, p_channel text) RETURNS void
    LANGUAGE sql AS $$
    SELECT set_config('role', p_role, true), set_config('request.jwt.claims', p_claims, true),
           set_config('realtime.channel_name', p_channel, true)
$$;

CREATE OR REPLACE FUNCTION realtime.subscribe_allowed(p_role text, p_claims text, p_channel text) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    allowed boolean;
BEGIN
    PERFORM realtime.act_as(p_role, p_claims, p_channel);
    SELECT EXISTS (SELECT 1 FROM realtime.channels c WHERE c.enabled AND (c.pattern = p_channel OR p_channel LIKE c.pattern))
        INTO allowed;
    RETURN allowed;
END
$$;

CREATE OR REPLACE FUNCTION realtime.publish_as(p_role text, p_claims text, p_id uuid, p_channel text, p_event text,
                                               p_payload jsonb, p_sender_type text, p_sender_id uuid) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    inserted integer;
BEGIN
    PERFORM realtime.act_as(p_role, p_claims, p_channel);
    -- No RETURNING: client roles may insert messages but not read them back.
    INSERT INTO realtime.messages (id, event_name, channel_id, channel_name, payload, sender_type, sender_id)
    SELECT p_id, p_event, c.id, p_channel, p_payload, p_sender_type, p_sender_id FROM realtime.channels c
    WHERE c.enabled AND (c.pattern = p_channel OR p_channel LIKE c.pattern)
    ORDER BY (c.pattern = p_channel) DESC, length(c.pattern) DESC LIMIT 1;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    RETURN inserted = 1;
END
$$;

-- realtime.cleanup_messages() deletes by the retention setting and is SECURITY DEFINER: only the
-- server (and admins) should be able to run it, not every client role.
REVOKE EXECUTE ON FUNCTION realtime.cleanup_messages() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION realtime.cleanup_messages() TO project_admin;
-- Presence is server-internal state; client roles never touch it directly.
REVOKE ALL ON realtime.presence, realtime.presence_servers FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION realtime.presence_join(uuid, text, text, text, text, interval),
    realtime.presence_remove(text, text, interval), realtime.presence_sweep(interval, uuid),
    realtime.presence_notify(text, text, jsonb, text) FROM PUBLIC;
-- Only the server (its login role, which owns them) calls these; they take the role to act as.
REVOKE EXECUTE ON FUNCTION realtime.act_as(text, text, text), realtime.subscribe_allowed(text, text, text),
    realtime.publish_as(text, text, uuid, text, text, jsonb, text, uuid) FROM PUBLIC;
