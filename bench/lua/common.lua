-- Shared by the wrk scripts of bench/run.mjs, which runs wrk with this folder as its working
-- directory. Each wrk thread has its own Lua state, so per-thread values live in globals.

local thread_count = 0

-- Numbers the threads, so each one starts at a different place in the token list.
function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
end

-- Reads one value per line, skipping empty lines.
function read_lines(path)
  local values = {}
  for line in io.lines(path) do
    if line ~= "" then
      values[#values + 1] = line
    end
  end
  if #values == 0 then
    error("no values in " .. path)
  end
  return values
end

-- Returns the next value of the list, so consecutive requests use different values.
function next_value(list)
  cursor = (cursor or (thread_number or 0) * 7919) % #list + 1
  return list[cursor]
end

-- Prints one JSON line with the counts and latency percentiles (microseconds) for the
-- driver. wrk counts responses with a status of 400 or more as status errors.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,' ..
    '"timeouts":%d,"mean_us":%.1f,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    latency.max))
end
