-- wrk script for bench/rush.sh: every request is a different parent taking a first-come seat
-- (POST /api/v1/enrollments with that parent's bearer token). Each wrk thread gets a disjoint
-- slice of the parents file; done() prints one JSON line with throughput, latency and statuses.

local tokens_file = os.getenv("RUSH_TOKENS") or "var/bench/rush_tokens.txt"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  parents = {}
  local n_threads = tonumber(os.getenv("RUSH_THREADS") or "2")
  local i = 0
  for line in io.lines(tokens_file) do
    if i % n_threads == id then
      local token, student, section = line:match("(%S+) (%S+) (%S+)")
      table.insert(parents, {token = token, body = '{"student": ' .. student .. ', "section": ' .. section .. '}'})
    end
    i = i + 1
  end
  next_parent = 1
  created, waitlisted, conflict, other, repeats = 0, 0, 0, 0, 0
end

function request()
  local p = parents[next_parent]
  next_parent = next_parent + 1
  if next_parent > #parents then
    next_parent = 1
    repeats = repeats + 1
  end
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. p.token,
    ["Content-Type"] = "application/json",
  }, p.body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 202 then waitlisted = waitlisted + 1
  elseif status == 409 then conflict = conflict + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, w, x, o, r = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    w = w + t:get("waitlisted")
    x = x + t:get("conflict")
    o = o + t:get("other")
    r = r + t:get("repeats")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "duration_s": %.2f, "rps": %.1f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"status_201": %d, "status_202": %d, "status_409": %d, "status_other": %d, "wrapped_around": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "non_2xx_3xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    c, w, x, o, r, e.connect, e.read, e.write, e.timeout, e.status))
end
