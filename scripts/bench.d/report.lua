-- wrk script for `POST /api/v1/reports` (used by scripts/bench).
--
-- Every request carries a report with a report_id no other request uses (the thread's
-- number, a per-run nonce and a counter) and one of 50,000 machine ids, so the server
-- inserts a new row and updates a realistic spread of roll-up rows each time.
-- Arguments (after `--`): the report template (tests/fixtures/reports/success.json), the
-- download token, and a run nonce (hex, up to 4 digits) that keeps runs apart.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local template = file:read("*a")
  file:close()
  -- Split the template around the two values each request replaces.
  local report_id = '"report_id": "4f0c2a9e-7d51-4b8a-9a53-2c1e5b7f9d10"'
  local machine_id = '"id": "9b2d4e6f8a0c1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f"'
  local a, b = template:find(report_id, 1, true)
  local c, d = template:find(machine_id, 1, true)
  assert(a and c and b < c, "the template changed: update scripts/bench.d/report.lua")
  head, middle, tail = template:sub(1, a - 1), template:sub(b + 1, c - 1), template:sub(d + 1)
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. args[2],
  }
  nonce = tonumber(args[3], 16)
end

function request()
  counter = counter + 1
  local id = string.format('"report_id": "%08x-%04x-4000-8000-%012x"', thread_id, nonce, counter)
  local machine = string.format('"id": "%064x"', (counter * 7919 + thread_id) % 50000)
  return wrk.format("POST", "/api/v1/reports", headers, head .. id .. middle .. machine .. tail)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
