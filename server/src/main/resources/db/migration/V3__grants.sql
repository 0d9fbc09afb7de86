-- Who may touch what. RLS is the real boundary for user data; these grants mirror InsForge's
-- fresh-install defaults (contract §3.2, §4, §6, §12).

-- public: user tables. anon and authenticated get DML on current and future tables (RLS decides
-- rows); project_admin owns the schema's contents through raw SQL.
GRANT USAGE ON SCHEMA public TO anon, authenticated;
GRANT ALL ON SCHEMA public TO project_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO anon, authenticated;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA public TO project_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO project_admin;

-- Future objects, whether created by the server's login role (tables API) or as project_admin (raw SQL).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO project_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO project_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO anon, authenticated, project_admin;
ALTER DEFAULT PRIVILEGES FOR ROLE project_admin IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE project_admin IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE project_admin IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO anon, authenticated;

-- auth: policies call auth.uid()/role()/email()/jwt(), which needs USAGE; the tables stay private.
GRANT USAGE ON SCHEMA auth TO anon, authenticated, project_admin;
GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email() TO anon, authenticated, project_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA auth TO project_admin;

-- storage: signed-in users may use every bucket until policies say otherwise; anon has no access
-- to the schema (so anon uploads and listings are refused, public downloads go through the server).
GRANT USAGE ON SCHEMA storage TO authenticated, project_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON storage.buckets, storage.objects TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA storage TO project_admin;
GRANT EXECUTE ON FUNCTION storage.foldername(text), storage.filename(text), storage.extension(text)
    TO authenticated, project_admin;

-- realtime: anyone may look up channels and publish; enable RLS and add policies to restrict.
GRANT USAGE ON SCHEMA realtime TO anon, authenticated, project_admin;
GRANT SELECT ON realtime.channels TO anon, authenticated;
GRANT INSERT ON realtime.messages TO anon, authenticated;
GRANT ALL ON realtime.channels, realtime.messages, realtime.config TO project_admin;
GRANT EXECUTE ON FUNCTION realtime.channel_name() TO anon, authenticated, project_admin;

-- functions: admin only.
GRANT USAGE ON SCHEMA functions TO project_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA functions TO project_admin;
