-- POSTs from a request file, one request a line: METHOD <tab> PATH <tab> BODY.
-- "@@TOKEN@@" in a body becomes a token unique to this request (run tag, thread, count),
-- so bench/run.py can match the comments stored to the 2xx answers received.
-- Arguments (after --): request file, output dir, run tag, "xff", "xff-each" or "-",
-- headers "Name: value".
-- With "xff", each pass through the request file claims a client address of its own in
-- X-Forwarded-For (Isso allows one vote per /24 network and comment, and trusts the
-- header from 127.0.0.1); with "xff-each", every request does: many readers posting,
-- each a comment, rather than one address posting thousands.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local summary = require("summary")
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  thread:set("ok", 0)
  table.insert(threads, thread)
end

local lines = {}
local base_headers = {}
local counter = 0
local out
local tag
local use_xff
local xff_each
-- BENCH_ACK=redirect: a 302/303 to "#comment-<id>" acknowledges the post (WordPress's
-- wp-comments-post.php); the token recorded is then "<tag>x<id>x0".
local ack_redirect = os.getenv("BENCH_ACK") == "redirect"

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]*)\t?(.*)$")
    table.insert(lines, { method = method, path = path, body = body })
  end
  out = io.open(args[2] .. "/ok-" .. tid .. ".txt", "w")
  tag = args[3]
  use_xff = args[4] == "xff"
  xff_each = args[4] == "xff-each"
  for i = 5, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    base_headers[name] = value
  end
end

function request()
  counter = counter + 1
  local slot = (counter - 1 + (tid - 1) * 7919) % #lines
  local cycle = math.floor((counter - 1) / #lines)
  local item = lines[slot + 1]
  local headers = {}
  for name, value in pairs(base_headers) do
    headers[name] = value
  end
  if xff_each then
    -- 10.r.t.0/24 per (run, thread), then one address per request within it and on
    headers["X-Forwarded-For"] = string.format("%d.%d.%d.%d", 10 + tonumber(tag:match("%d+")) % 200,
      (tid * 16 + math.floor(counter / 65536)) % 256, math.floor(counter / 256) % 256, counter % 256)
  elseif use_xff then
    -- a.b.c.0/24 unique per (run, thread, cycle through the request file)
    headers["X-Forwarded-For"] = string.format("%d.%d.%d.9", 10 + tonumber(tag:match("%d+")) % 200,
      tid, cycle % 256)
  end
  local body = nil
  if item.body ~= "" then
    body = item.body:gsub("@@TOKEN@@", tag .. "x" .. tid .. "x" .. counter)
  end
  return wrk.format(item.method, item.path, headers, body)
end

function response(status, headers, body)
  if ack_redirect then
    local location = headers["Location"] or headers["location"] or ""
    local id = location:match("#comment%-(%d+)")
    if (status == 302 or status == 303) and id then
      ok = (ok or 0) + 1
      out:write(tag .. "x" .. id .. "x0\n")
      out:flush()
    end
    return
  end
  if status >= 200 and status < 300 then
    ok = (ok or 0) + 1
    -- wrk keeps appending to its body buffer when the server closes the connection
    -- (gunicorn's sync workers do, after every answer): the newest token is the last one.
    local token = nil
    for found in body:gmatch(tag .. "x%d+x%d+") do
      token = found
    end
    out:write((token or "-") .. "\n")
    out:flush()
  end
end

function done(summary_table, latency, requests)
  summary.report(summary_table, latency, threads)
end
