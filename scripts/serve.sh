#!/usr/bin/env bash
# Run the web server (granian, WSGI), the task worker and the schedule that feeds it
# periodic jobs (scheduled publishing, digests, auto-close) together; Ctrl-C stops all.
set -u
PORT="${PORT:-8000}"
WORKERS="${WORKERS:-2}"
VENV=.venv
pids=()
stop() {
  trap - INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
  echo "Broadsheet stopped."
  exit 0
}
trap stop INT TERM
"$VENV/bin/python" manage.py db_worker --queue-name '*' --interval 1 &
pids+=($!)
"$VENV/bin/python" manage.py run_schedule &
pids+=($!)
# Live streams are held by these same workers, one thread each, up to
# BROADSHEET_LIVE_MAX_STREAMS (12) per worker; the other threads serve pages
# (docs/decisions/0001-live-delivery.md). Open streams do not hold up a stop for long.
"$VENV/bin/granian" --interface wsgi config.wsgi:application \
  --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" --blocking-threads 16 \
  --workers-kill-timeout 5 --no-ws --log-level warning &
pids+=($!)
# Say where to go once the site answers (Django takes a few seconds to load per worker).
for _ in $(seq 60); do
  if "$VENV/bin/python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
echo "Broadsheet is serving http://127.0.0.1:$PORT (admin: /admin/). Ctrl-C stops it."
wait -n
stop
