-- wrk script for benchmarks/compare.sh: each request takes the next Host from a file (one sequence,
-- as our load generator does), optionally with a body, and the run ends by printing one JSON line in
-- the load generator's --json shape so compare.sh tabulates both clients alike.
--
--   WRK_HOSTS=hosts.txt WRK_LABEL=upload-1m WRK_METHOD=POST WRK_BODY_SIZE=1048576 \
--     wrk -t1 -c16 -d10s -s rotate-hosts.lua http://127.0.0.1:8080/upload
--
-- Counts in done() cover the whole run: wrk has no warm-up of its own.

local hosts = {}
for line in io.lines(os.getenv("WRK_HOSTS")) do
  if line ~= "" then hosts[#hosts + 1] = line end
end
local label = os.getenv("WRK_LABEL") or "wrk"
local method = os.getenv("WRK_METHOD") or "GET"
local body_size = tonumber(os.getenv("WRK_BODY_SIZE") or "0")
local body = nil
if body_size > 0 then body = string.rep("x", body_size) end
-- WRK_CLOSE=1 asks for a new connection per request, as the load generator's --mode close.
local close = os.getenv("WRK_CLOSE") == "1"
local next_host = 0

local function format(host)
  local headers = { Host = host }
  if body then headers["Content-Type"] = "application/octet-stream" end
  if close then headers["Connection"] = "close" end
  return wrk.format(method, wrk.path, headers, body)
end

-- Requests are built once per host: formatting a 1 MiB request for every send (a string
-- concatenation and its garbage) held wrk to about 220 MB/s, a quarter of what the gateways move.
-- With a body, only the first WRK_PREBUILT hosts (default 64, 64 MiB of requests) are rotated.
local prebuilt = {}
local rotated = #hosts
if body then rotated = math.min(#hosts, tonumber(os.getenv("WRK_PREBUILT") or "64")) end
for i = 1, rotated do prebuilt[i] = format(hosts[i]) end

function request()
  next_host = next_host % rotated + 1
  return prebuilt[next_host]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local ok = summary.requests - e.status
  -- Bytes both ways, as the load generator counts them: wrk counts only what it read, so an
  -- upload's bodies are added (its request heads are not, a few hundred bytes a MiB).
  local bytes = summary.bytes
  if body then bytes = bytes + summary.requests * body_size end
  io.write(string.format(
    '{"label":"%s","client":"wrk","completed":%d,"seconds":%.3f,"perSecond":%.1f,' ..
    '"megabytesPerSecond":%.3f,"errors":%d,"non2xx":%d,"hosts":%d,' ..
    '"latencyMs":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f}}\n',
    label, ok, seconds, ok / seconds, bytes / seconds / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status, rotated,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
