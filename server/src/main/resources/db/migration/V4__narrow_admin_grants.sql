-- V3 granted project_admin ALL on the storage and realtime tables. ALL includes TRIGGER: raw SQL
-- running as project_admin could attach a trigger that then runs as whichever role writes those
-- tables (the server's own login role for some platform writes) — an escalation out of
-- project_admin. Admins need to read and change rows there, nothing more.
REVOKE TRIGGER, TRUNCATE, REFERENCES ON ALL TABLES IN SCHEMA storage FROM project_admin;
REVOKE TRIGGER, TRUNCATE, REFERENCES ON realtime.channels, realtime.messages, realtime.config FROM project_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA storage TO project_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON realtime.channels, realtime.messages, realtime.config TO project_admin;
