-- wrk script: POST /api/auth/sessions (password sign-in, web mode as the SDK in a browser does it).
-- The e-mail and password come from the environment run.sh sets.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}', os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"))

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("login_non_2xx %d\n", non2xx))
end
