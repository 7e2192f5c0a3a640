"""config/granian_server.py loads the application in granian's main process before the
fork: what the loading opened is closed first, and it refuses to fork with a thread
running (a forked worker would inherit that thread's locks, held for ever)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
