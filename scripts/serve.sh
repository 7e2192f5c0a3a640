#!/usr/bin/env bash
# Run the web server (granian, WSGI), the task worker and the schedule that feeds it
# periodic jobs (scheduled publishing, digests, auto-close), each under a supervisor that
# restarts it when it exits unexpectedly (with a back-off); a crash of one never stops
# the others. granian itself replaces a crashed web worker (--respawn-failed-workers) while
# its other workers keep answering. Ctrl-C or SIGTERM stops them all gracefully: granian
# finishes the requests in flight, the task worker the task it is running (queued tasks
# stay in the database for the next start).
set -u
PORT="${PORT:-8000}"
WORKERS="${WORKERS:-2}"
VENV="${VENV:-.venv}"
# How long a graceful stop may take before what is left is killed.
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"

# supervise NAME COMMAND...: run COMMAND, and again whenever it exits: at once the first
# time, then after 1, 2, 4 … up to 30 s (back to at once after a run of a minute or more).
# COMMAND runs in a process group of its own, so that what it leaves behind (granian's
# workers outlive a killed main process and keep the port) is stopped before the next
# start. SIGTERM or SIGINT is passed on to COMMAND, and ends the loop once it has exited.
supervise() {
  local name=$1; shift
  local child="" stopping=0 delay=0 started rc
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
  while [ "$stopping" = 0 ]; do
    started=$SECONDS
    setsid "$@" &
    child=$!
    # `wait` returns early when a trapped signal arrives; wait again for the exit itself.
    while kill -0 "$child" 2>/dev/null; do wait "$child"; done
    wait "$child"; rc=$?
    stop_group "$child"
    child=""
    [ "$stopping" = 1 ] && break
    if [ $((SECONDS - started)) -ge 60 ]; then delay=0; fi
    echo "Broadsheet: the $name exited (status $rc); restarting it in ${delay} s." >&2
    if [ "$delay" -gt 0 ]; then sleep "$delay" & wait $! 2>/dev/null; fi
    delay=$((delay * 2 > 30 ? 30 : (delay == 0 ? 1 : delay * 2)))
  done
}

# stop_group PGID: TERM what is left in the process group (requests in flight finish),
# KILL it after STOP_TIMEOUT seconds.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 -- "-$1" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null
  return 0
}

pids=()
stop() {
  trap - INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  # Give both their graceful stop, then kill whatever is left of this process group.
  local deadline=$((SECONDS + STOP_TIMEOUT))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  echo "Broadsheet stopped."
  exit 0
}
trap stop INT TERM

supervise "task worker" "$VENV/bin/python" manage.py db_worker --queue-name '*' --interval 1 &
pids+=($!)
supervise "schedule" "$VENV/bin/python" manage.py run_schedule &
pids+=($!)
# Live streams are held by these same workers, one thread each, up to
# BROADSHEET_LIVE_MAX_STREAMS (12) per worker; the other threads serve pages
# (docs/decisions/0001-live-delivery.md). Open streams do not hold up a stop for long.
supervise "web server" "$VENV/bin/granian" --interface wsgi config.wsgi:application \
  --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" --blocking-threads 16 \
  --respawn-failed-workers --respawn-interval 0.5 --workers-kill-timeout 5 \
  --no-ws --log-level warning &
pids+=($!)
# Say where to go once the site answers (Django takes a few seconds to load per worker).
for _ in $(seq 60); do
  if "$VENV/bin/python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
echo "Broadsheet is serving http://127.0.0.1:$PORT (admin: /admin/). Ctrl-C stops it."
# The supervisors never end by themselves; wait until a signal calls stop.
while true; do wait; done
