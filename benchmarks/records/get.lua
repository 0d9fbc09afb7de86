-- wrk script: GET one row by primary key, a random id each time, as the benchmark user.
-- Half the ids belong to the user; RLS hides the others (an empty array), as it would in an app.
wrk.headers["Authorization"] = "Bearer @TOKEN@"
request = function()
  return wrk.format("GET", "/api/database/records/bench_items?id=eq." .. math.random(1, 10000))
end
