#!/usr/bin/env bash
# Run the web server (granian, WSGI) and the task worker (which also runs, in a thread,
# the schedule that feeds it periodic jobs: scheduled publishing, digests, auto-close),
# each started again when it exits unexpectedly; a crash of one never stops the other.
#
# Memory (docs/performance.md, "Memory per process"): granian's main process loads the
# application, then forks the task worker and its own workers, which all share it
# (config/granian_server.py --task-worker); glibc keeps two malloc arenas per process
# instead of one per thread.
#
# - A crashed web worker: granian replaces it (--respawn-failed-workers) while its other
#   workers keep answering.
# - A crashed web server main process: its workers outlive it and keep answering (on
#   Linux each granian worker listens on a socket of its own with SO_REUSEPORT), so a new
#   server is started at once beside them, and they are stopped gracefully once its
#   workers listen. The site never stops answering.
# - A crashed task worker: the web server's main process, which forked it, starts it again
#   at once; if it keeps crashing, after 1, 2, 4 … up to 30 s (back to at once after a run
#   of a minute or more): config/forked_task_worker.py, the same rule as for the server.
#   A crashed main process's task worker is asked to stop (it finishes its task), and
#   the new server forks its own.
#
# SIGHUP reloads gracefully: a new web server, with a task worker of its own, starts
# beside the running one, which stops accepting once the new one listens and finishes its
# requests in flight, while its task worker finishes what it is doing (queued tasks wait
# in the database). Ctrl-C or SIGTERM stops everything gracefully the same way.
set -u
PORT="${PORT:-8000}"
WORKERS="${WORKERS:-2}"
VENV="${VENV:-.venv}"
# How long a graceful stop may take before what is left is killed.
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"
# Without `ss` (iproute2) to see when a new web server listens, how long the workers a
# killed one left behind keep serving beside it.
READY_TIMEOUT="${READY_TIMEOUT:-60}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

# group_alive PGID: whether a process of the group runs (zombies do not count: the
# orphaned workers of a killed main process are children of init, which may never reap
# them in a container).
group_alive() {
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# stop_group PGID: TERM what is left in the process group (requests in flight finish),
# KILL it after STOP_TIMEOUT seconds.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while group_alive "$1" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null
  return 0
}

# listening PGID: whether WORKERS processes of the group listen on PORT. granian's
# workers open their sockets once the application is loaded, so this is "ready".
listening() {
  command -v ss >/dev/null || return 1
  local members count
  members=$(ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }')
  [ -n "$members" ] || return 1
  count=$(ss -Hltnp "sport = :$PORT" | grep -oE 'pid=[0-9]+' | cut -d= -f2 | sort -u |
    grep -cxF "$members")
  [ "$count" -ge "$WORKERS" ]
}

# retire NEW OLD...: once the web server NEW listens, stop the process groups OLD (what a
# killed main process left serving). If NEW exits first, the old ones keep serving. There
# is no time limit: loading Django may take a minute on a busy machine, and meanwhile the
# old workers answer. Without `ss` to tell, they are stopped after READY_TIMEOUT seconds.
retire() {
  local new=$1 group tries=0
  shift
  while ! listening "$new"; do
    kill -0 "$new" 2>/dev/null || return 0
    if ! command -v ss >/dev/null && [ $((tries += 1)) -gt $((READY_TIMEOUT * 5)) ]; then break; fi
    sleep 0.2
  done
  echo "Broadsheet: the new web server listens; stopping what the old one left running." >&2
  for group in "$@"; do stop_group "$group" & done
  wait
}

# supervise_web COMMAND...: run the web server, in a process group of its own so that
# what it leaves behind is found and stopped, and again whenever it exits (see the
# back-off above). What an exited server leaves running (the workers of a killed main
# process) is stopped only once the next server listens. SIGHUP starts a new server
# beside the running one and stops the old one gracefully once the new one listens: no
# moment without a listener, however long the application takes to load. SIGTERM or
# SIGINT is passed on to the server, and ends the loop.
supervise_web() {
  local child="" stopping=0 reloading=0 delay=0 started rc group alive left=()
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
  trap 'reloading=1' HUP
  while [ "$stopping" = 0 ]; do
    started=$SECONDS
    setsid "$@" &
    child=$!
    if [ ${#left[@]} -gt 0 ]; then retire "$child" "${left[@]}" & fi
    while kill -0 "$child" 2>/dev/null && [ "$reloading" = 0 ]; do wait "$child"; done
    [ "$stopping" = 1 ] && break
    if [ "$reloading" = 1 ]; then
      echo "Broadsheet: reloading the web server: a new one starts beside the old one." >&2
      reloading=0
      left+=("$child")
      continue
    fi
    wait "$child"
    rc=$?
    # What still runs of this server or earlier ones serves until the next one listens.
    alive=()
    for group in "${left[@]}" "$child"; do group_alive "$group" && alive+=("$group"); done
    left=("${alive[@]}")
    if [ $((SECONDS - started)) -ge 60 ]; then delay=0; fi
    echo "Broadsheet: the web server exited (status $rc); restarting it in ${delay} s." >&2
    if [ "$delay" -gt 0 ]; then sleep "$delay" & wait $! 2>/dev/null; fi
    delay=$((delay * 2 > 30 ? 30 : (delay == 0 ? 1 : delay * 2)))
  done
  for group in "$child" "${left[@]}"; do stop_group "$group" & done
  wait
}

pids=()
stop() {
  trap - INT TERM HUP
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  # Each supervisor gives its program its graceful stop and kills what is left after
  # STOP_TIMEOUT; a little longer, and whatever is left of them is killed here.
  local deadline=$((SECONDS + STOP_TIMEOUT + 5))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  echo "Broadsheet stopped."
  exit 0
}
reload() {
  echo "Broadsheet: reloading gracefully." >&2
  for pid in "${pids[@]}"; do kill -HUP "$pid" 2>/dev/null; done
}
trap stop INT TERM
trap reload HUP

# Live streams are held by these same workers, one thread each, up to
# BROADSHEET_LIVE_MAX_STREAMS (12) per worker; the other threads serve pages
# (docs/decisions/0001-live-delivery.md). Open streams do not hold up a stop for long.
# The task worker (`manage.py db_worker --queue-name '*' --interval 1 --with-schedule`) is
# forked by the web server's main process from the application it loaded, and supervised
# there (config/forked_task_worker.py).
supervise_web "$VENV/bin/python" -m config.granian_server \
  --task-worker "--queue-name '*' --interval 1 --with-schedule" \
  --interface wsgi config.wsgi:application \
  --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" --blocking-threads 16 \
  --respawn-failed-workers --workers-kill-timeout 5 --no-ws --log-level warning &
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
