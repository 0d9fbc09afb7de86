-- wrk script: POST one row as the benchmark user, return=minimal (the default).
wrk.method = "POST"
wrk.body = '{"owner":"@USER@","name":"x","price":1.5}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer @TOKEN@"
