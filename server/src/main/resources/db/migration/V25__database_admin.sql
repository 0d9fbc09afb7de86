-- The database domain (tables API, raw SQL): what project_admin needs to create user tables the
-- way InsForge does, and the ownership repair that runs after unrestricted raw SQL.

-- Tables API DDL runs as project_admin; its tables get a BEFORE UPDATE trigger calling
-- system.update_updated_at(), and CREATE TRIGGER resolves that name, which needs USAGE on the
-- schema. (Firing the trigger needs nothing: functions are found by oid, EXECUTE is public.)
GRANT USAGE ON SCHEMA system TO project_admin;

-- User tables commonly reference their owner: user_id uuid REFERENCES auth.users(id).
GRANT REFERENCES ON auth.users TO project_admin;

-- Objects created by unrestricted raw SQL belong to the server's own role. Restricted raw SQL and
-- the tables API act as project_admin, which could then not ALTER or DROP them ("must be owner").
-- This hands every public table, view, sequence, routine and type that project_admin does not own
-- to project_admin. Extension members keep their owner, and so do sequences and row types that
-- belong to a table (they follow the table). Each object is reassigned on its own: one the caller
-- may not reassign (owned by another superuser, say) is reported as a warning and skipped.
-- Returns how many objects changed owner.
CREATE OR REPLACE FUNCTION system.reassign_public_objects_to_project_admin() RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    target record;
    reassigned integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'project_admin') THEN
        RETURN 0;
    END IF;

    FOR target IN
        -- relations
        SELECT format('ALTER %s %I.%I OWNER TO project_admin',
                      CASE c.relkind WHEN 'v' THEN 'VIEW'
                                     WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE'
                                     WHEN 'f' THEN 'FOREIGN TABLE'
                                     ELSE 'TABLE' END,
                      n.nspname, c.relname) AS statement
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> 'project_admin'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
        UNION ALL
        -- functions, procedures, aggregates
        SELECT format('ALTER %s %I.%I(%s) OWNER TO project_admin',
                      CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                      n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND p.proowner <> 'project_admin'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        -- enums, domains, ranges and stand-alone composite types (array and multirange types follow)
        SELECT format('ALTER %s %I.%I OWNER TO project_admin',
                      CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class rel ON rel.oid = t.typrelid
        WHERE n.nspname = 'public'
          AND t.typtype IN ('e', 'd', 'r', 'c')
          AND (t.typrelid = 0 OR rel.relkind = 'c')
          AND t.typowner <> 'project_admin'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        BEGIN
            EXECUTE target.statement;
            reassigned := reassigned + 1;
        EXCEPTION WHEN insufficient_privilege OR object_not_in_prerequisite_state OR feature_not_supported THEN
            RAISE WARNING 'Could not reassign a public object to project_admin (%): %', target.statement, SQLERRM;
        END;
    END LOOP;
    RETURN reassigned;
END
$$;

-- Only the server's own role runs it (after unrestricted raw SQL).
REVOKE EXECUTE ON FUNCTION system.reassign_public_objects_to_project_admin() FROM PUBLIC;

SELECT system.reassign_public_objects_to_project_admin();
