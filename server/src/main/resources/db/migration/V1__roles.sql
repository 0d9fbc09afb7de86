-- The three roles every request acts as. They are cluster-wide: in Kubernetes many project
-- databases share one Postgres server and one set of these roles (created by the operator), so
-- nothing here may fail when they already exist or when the connecting user cannot create roles.

DO $$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['anon', 'authenticated', 'project_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', wanted);
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN
                    NULL; -- another database on this server created it a moment ago
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'Role % does not exist and % may not create it', wanted, current_user
                        USING HINT = 'Create roles anon, authenticated and project_admin (NOLOGIN) once per Postgres server, as the Anvil operator does.';
            END;
        END IF;
    END LOOP;

    -- project_admin is the admin key's role: row-level security does not apply to it.
    IF NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = 'project_admin') THEN
        BEGIN
            ALTER ROLE project_admin BYPASSRLS;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'project_admin lacks BYPASSRLS and % may not grant it; admin requests will be subject to RLS', current_user;
        END;
    END IF;

    -- The server switches to these roles per request (SET ROLE), so its login role must be a member.
    FOREACH wanted IN ARRAY ARRAY['anon', 'authenticated', 'project_admin'] LOOP
        IF NOT pg_has_role(current_user, wanted, 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT %I TO %I', wanted, current_user);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE EXCEPTION '% is not a member of role % and may not become one', current_user, wanted
                    USING HINT = 'GRANT anon, authenticated, project_admin TO the database user Anvil connects as.';
            END;
        END IF;
    END LOOP;
END
$$;
