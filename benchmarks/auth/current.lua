-- wrk script: GET /api/auth/sessions/current with a user's access token (from the environment).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

done = function(summary, latency, requests)
  io.write(string.format("current_non_2xx %d\n", summary.errors.status))
end
