-- The wrk side of the endpoint benchmark (Endpoints/WrkRunner.cs writes its input and reads its output).
--
--   wrk -t T -c C -d D -s harness.lua URL -- REQUESTS MODE EXPECT CAPTURE CAPTURE_FILE THREADS
--
-- REQUESTS: one request a line, "METHOD<tab>PATH<tab>AUTHORIZATION<tab>BODY" (empty fields allowed). Thread i of T
-- takes lines i, i+T, i+2T...; every request is built once, in init(), so request() is a table lookup.
-- MODE "cycle": the lines repeat until the run ends (read-only endpoints). MODE "once": each line is sent once
-- (per-request state such as a token or a pending challenge); a thread whose lines have all been answered writes
-- "challenges-exhausted" to stderr and stops, and the runner interrupts wrk when every thread has. Until then its
-- idle connections ask for IDLE_PATH, an unknown route whose answers are recognised by the path in them and not counted.
-- EXPECT: a response counts as ok when its status is 200 and its body contains this text.
-- CAPTURE: a JSON string field of ok responses to collect (e.g. token), written one a line to CAPTURE_FILE by done().
-- done() prints "challenges-result<tab>{json}" with the counts, the first request and last ok response times
-- (monotonic microseconds: the rate is ok / (last - first), right even when the threads stopped early) and wrk's
-- latency percentiles, and how many of its lines each thread sent ("sent", in thread order: line j went to thread
-- j mod T); and "challenges-bad<tab>..." with the first response that was not ok.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } challenges_timespec;
  int clock_gettime(int clock, challenges_timespec *tp);
]]
local timespec = ffi.new("challenges_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

-- Main state: the threads, numbered as they are set up.
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

-- Thread state.
local requests, mode, expect, pattern = {}, "cycle", "", nil
local idle_path = "/challenges-bench-idle"
local idle
-- wrk calls request() once on thread 0 before the run, to check what it returns; that call must not use up a line.
local verifying = false
-- Globals, for done() to read with thread:get().
position, ok, bad, first, last, stopped, captured, bad_sample, capture_file = 1, 0, 0, 0, 0, false, {}, nil, ""

function init(args)
  local file, count = args[1], tonumber(args[6])
  mode, expect, capture_file = args[2], args[3], args[5]
  if args[4] ~= "" then
    pattern = '"' .. args[4] .. '":"([^"]*)"'
  end
  local n = 0
  for line in io.lines(file) do
    if n % count == index then
      local method, path, authorization, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if authorization ~= "" then headers["Authorization"] = authorization end
      if body == "" then
        body = nil
      else
        headers["Content-Type"] = "application/json"
      end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
    end
    n = n + 1
  end
  idle = wrk.format("GET", idle_path, {}, nil)
  verifying = index == 0
end

local function stop_when_answered()
  if not stopped and ok + bad >= #requests then
    stopped = true
    io.stderr:write("challenges-exhausted\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function request()
  if verifying then
    verifying = false
    return requests[1] or idle
  end
  if first == 0 then first = now_us() end
  if position > #requests then
    if mode == "cycle" and #requests > 0 then
      position = 1
    else
      stop_when_answered()
      return idle
    end
  end
  local r = requests[position]
  position = position + 1
  return r
end

function response(status, headers, body)
  if stopped or (status == 404 and body:find(idle_path, 1, true)) then return end
  if status == 200 and (expect == "" or body:find(expect, 1, true)) then
    ok = ok + 1
    last = now_us()
    if pattern then
      local value = body:match(pattern)
      if value then captured[#captured + 1] = value end
    end
  else
    bad = bad + 1
    if not bad_sample then bad_sample = status .. " " .. body:sub(1, 300):gsub("[\r\n\t]", " ") end
  end
  if mode == "once" and position > #requests then stop_when_answered() end
end

function done(summary, latency, _)
  local total_ok, total_bad, started, ended, sample = 0, 0, nil, nil, nil
  local out, sent = nil, {}
  for _, thread in ipairs(threads) do
    sent[#sent + 1] = thread:get("position") - 1
    total_ok = total_ok + thread:get("ok")
    total_bad = total_bad + thread:get("bad")
    local f, l = thread:get("first"), thread:get("last")
    if f > 0 and (started == nil or f < started) then started = f end
    if l > 0 and (ended == nil or l > ended) then ended = l end
    sample = sample or thread:get("bad_sample")
    local file = thread:get("capture_file")
    if file ~= "" then
      out = out or io.open(file, "w")
      for _, value in ipairs(thread:get("captured")) do out:write(value, "\n") end
    end
  end
  if out then out:close() end
  local e = summary.errors
  io.write(string.format(
    'challenges-result\t{"ok":%d,"bad":%d,"first":%d,"last":%d,"requests":%d,"durationUs":%d,' ..
    '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,' ..
    '"meanUs":%.1f,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"sent":[%s]}\n',
    total_ok, total_bad, started or 0, ended or 0, summary.requests, summary.duration,
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(sent, ",")))
  if sample then io.write("challenges-bad\t", sample, "\n") end
end
