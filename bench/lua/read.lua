-- GET one URL (given on the command line); only the summary is scripted, so wrk's
-- request loop stays native.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local summary = require("summary")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary_table, latency, requests)
  summary.report(summary_table, latency, threads)
end
