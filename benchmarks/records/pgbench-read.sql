-- PostgREST 12.2's transaction for GET /bench_items?id=eq.<id> with a user JWT, as it sends it with
-- the simple protocol: four statements, four round trips. The id is random, as in get.lua.
\set id random(1, 10000)
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT set_config('search_path', '"public", "public"', true), set_config('role', 'authenticated', true), set_config('request.jwt.claims', '@CLAIMS@', true), set_config('request.method', 'GET', true), set_config('request.path', '/bench_items', true), set_config('request.headers', '{"accept":"*/*","host":"localhost:3000","user-agent":"wrk"}', true), set_config('request.cookies', '{}', true);
WITH pgrst_source AS ( SELECT "public"."bench_items".* FROM "public"."bench_items" WHERE  "public"."bench_items"."id" = :id  ) SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), '[]') AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status, '' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t;
COMMIT;
