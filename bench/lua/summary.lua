-- Shared by every bench script: print wrk's summary as one JSON line for bench/run.py.
local summary = {}

function summary.report(summary_table, latency, threads)
  local ok = 0
  for _, thread in ipairs(threads) do
    ok = ok + (tonumber(thread:get("ok")) or 0)
  end
  local e = summary_table.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "timeouts": %d, "status_errors": %d, "ok_counted": %d}\n',
    summary_table.requests, summary_table.duration, summary_table.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, ok))
end

return summary
