-- wrk script for the load run of scripts/bench (scripts/bench-load.mjs). The bearer token comes
-- from the environment, so it never shows on a command line; the results are printed as one
-- JSON line (WRK_JSON ...), latencies in microseconds.
local token = os.getenv("ONRAMP_BENCH_TOKEN")
wrk.headers["Accept"] = "application/json"
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
