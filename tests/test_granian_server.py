"""config/granian_server.py loads the application in granian's main process before the
fork: what the loading opened is closed first, and it refuses to fork with a thread
running (a forked worker would inherit that thread's locks, held for ever). The task
worker it forks (config/forked_task_worker.py) is `manage.py db_worker` in a process group
of its own, without the web server's listening socket, started again when killed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import threading, django
django.setup()
from django.db import connection
from config.granian_server import prepare_fork
connection.ensure_connection()
prepare_fork()
assert connection.connection is None, "the database connection was left open"
stop = threading.Event()
threading.Thread(target=stop.wait, name="publisher").start()
try:
    prepare_fork()
except RuntimeError as error:
    print("refused:", error)
finally:
    stop.set()
"""


def test_the_launcher_closes_connections_and_refuses_to_fork_with_a_thread_running(
    tmp_path: Path,
) -> None:
    # A database of its own, whatever the suite runs on: the suite's PostgreSQL database
    # exists only under pytest-django's test name, and what is checked is the same.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'launcher.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused: threads running before the fork: publisher" in done.stdout


FORKED = """
import os, signal, socket, time, django
django.setup()
from config.forked_task_worker import ForkedTaskWorker

def command(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\\0", b" ").decode().strip()
    except OSError:
        return ""

def held(pid):
    try:
        return {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    except OSError:
        return set()

def wait(condition, bound=60.0):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline and not condition():
        time.sleep(0.05)

server = socket.socket()  # as granian's main process holds the one its workers share
server.bind(("127.0.0.1", 0))
server.listen()
listening = f"socket:[{os.fstat(server.fileno()).st_ino}]"
forked = ForkedTaskWorker(["--interval", "1"])
forked.start()
first = forked.pid
def is_worker(pid):
    return command(pid).endswith("manage.py db_worker --interval 1")

wait(lambda: is_worker(first))
print("command:", command(first))
print("group of its own:", os.getpgid(first) == first)
wait(lambda: listening not in held(first), bound=10)
print("holds the listening socket:", listening in held(first))
os.kill(first, signal.SIGKILL)
wait(lambda: forked.pid != first)
second = forked.pid
wait(lambda: is_worker(second))
time.sleep(3)  # a child forked by the watcher thread runs db_worker (its signal handlers)
print("replaced and running:", second != first and forked.pid == second and bool(command(second)))
forked.stop(30)
print("stopped:", not os.path.exists(f"/proc/{second}"))
"""


@pytest.mark.slow
def test_the_forked_task_worker_is_db_worker_and_is_replaced_when_killed(
    tmp_path: Path,
) -> None:
    # config.settings (the test settings run tasks in the request: no database queue).
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'forked.sqlite3'}",
        "BROADSHEET_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "-c", FORKED], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert lines["command"].endswith("manage.py db_worker --interval 1"), done.stdout
    assert lines["group of its own"] == "True"
    assert lines["holds the listening socket"] == "False"
    assert lines["replaced and running"] == "True", done.stderr[-2000:]
    assert lines["stopped"] == "True"
