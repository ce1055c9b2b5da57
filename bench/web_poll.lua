-- wrk script for dbcache-web under load (scripts/bench.sh W1-W3 and
-- tests/integration/load/load_test.sh): what open pages send. delay() paces
-- each connection at 1 ms between requests, so the rate is set by the
-- connection count; request() alternates the two paths, /api/stats twice for
-- each /metrics.
local requests, n = {}, 0
function init()
  requests[0] = wrk.format("GET", "/api/stats")
  requests[1] = wrk.format("GET", "/api/stats")
  requests[2] = wrk.format("GET", "/metrics")
end
function delay() return 1 end
function request() n = (n + 1) % 3; return requests[n] end
