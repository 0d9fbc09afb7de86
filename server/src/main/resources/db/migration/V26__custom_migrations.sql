-- Custom SQL migrations (contract §3.5, POST /api/database/migrations). V2 created InsForge's
-- ledger, system.custom_migrations (version, name, statements, created_at = when it was applied);
-- Anvil also keeps the text as submitted and who applied it. Written only by the server's own role,
-- in the transaction that ran the migration; read only through the admin API.

ALTER TABLE system.custom_migrations ADD COLUMN IF NOT EXISTS sql text;
ALTER TABLE system.custom_migrations ADD COLUMN IF NOT EXISTS applied_by text;

-- The ledger orders versions as numbers (0002 < 10): the API accepts 1 to 64 digits only, and
-- rows that did not come through it must not break the numeric cast.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'system.custom_migrations'::regclass AND conname = 'custom_migrations_version_digits') THEN
        ALTER TABLE system.custom_migrations
            ADD CONSTRAINT custom_migrations_version_digits CHECK (version ~ '^[0-9]{1,64}$');
    END IF;
END
$$;

-- Migrations may hold schema details and data; the API roles never read the ledger directly.
REVOKE ALL ON system.custom_migrations FROM PUBLIC, anon, authenticated, project_admin;
