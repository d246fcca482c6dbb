-- wrk script of bench/run: GET requests with a bearer token, the path made
-- from a template and, if given, a random line of a file.
--
--   wrk ... -s bench/wrk/request.lua URL -- TOKEN PATH [FILE]
--
-- PATH is a template whose %s is replaced by a random line of FILE (a
-- customer id, a cursor...); without FILE it is used as it is.  done()
-- prints one machine-readable line for bench/run:
--   RESULT requests=N duration_us=N rps=F p50_us=N p99_us=N non2xx=N errors=N

local token, template, values

function init(args)
  token = args[1]
  template = args[2]
  if args[3] then
    values = {}
    for line in io.lines(args[3]) do
      if #line > 0 then
        values[#values + 1] = line
      end
    end
    if #values == 0 then
      error("no values in " .. args[3])
    end
  end
  -- a different random sequence per thread
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Accept"] = "application/json"
end

function request()
  local path = template
  if values then
    path = string.format(template, values[math.random(#values)])
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
