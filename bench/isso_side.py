"""Isso 0.14 from PyPI, in a virtualenv of its own, served by gunicorn.

Configuration choices (each keeps Isso at its fastest, so Broadsheet's ratios are
conservative):
- moderation off: comments are visible at once, as Broadsheet's are;
- [guard] off: the guard would refuse all but 2 comments a minute per address (and
  scans the thread on every post); Broadsheet's limit checks still run, thresholds lifted;
- [server] trusted-proxies = 127.0.0.1: the vote load sends one X-Forwarded-For network
  per vote, because Isso records one vote per /24 network and comment;
- gunicorn with 2 sync workers (Isso's documented deployment), --timeout 120 so the
  whole-thread requests on 5,000 comments (seconds each) are not killed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.plan import PlannedComment
from bench.servers import HOST, Server, free_port, running

ISSO_VERSION = "0.14.0"
PYTHON_CANDIDATES = (
    ["python3.12"],
    ["python3.11"],
    ["python3"],
)


def _python_for_isso() -> list[str]:
    """A Python 3.11 or 3.12 to build Isso's virtualenv with (its wheels need one)."""
    env_hint = {"PYENV_VERSION": "3.12.1"}
    for candidate in PYTHON_CANDIDATES:
        try:
            done = subprocess.run(
                [*candidate, "-c", "import sys; print(sys.version_info[:2])"],
                capture_output=True,
                text=True,
                env={**os.environ, **env_hint},
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0 and done.stdout.strip() in {"(3, 11)", "(3, 12)"}:
            return candidate
    raise SystemExit("Isso needs Python 3.11 or 3.12 to install; none was found")


def install(venv: Path) -> Path:
    """Create `venv` and install isso + gunicorn from PyPI (skipped when already there)."""
    python = venv / "bin" / "python"
    marker = venv / f".isso-{ISSO_VERSION}"
    if marker.exists() and python.exists():
        return venv
    env = {**os.environ, "PYENV_VERSION": "3.12.1"}
    subprocess.run([*_python_for_isso(), "-m", "venv", str(venv)], check=True, env=env)
    subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "-q",
            "--disable-pip-version-check",
            f"isso=={ISSO_VERSION}",
            "gunicorn",
        ],
        check=True,
    )
    marker.touch()
    return venv


def write_config(path: Path, *, db: Path, port: int) -> None:
    path.write_text(
        f"""[general]
dbpath = {db}
host = http://{HOST}:{port}/
max-age = 15m
notify = stdout
reply-notifications = false
gravatar = false

[moderation]
enabled = false

[server]
listen = http://{HOST}:{port}/
trusted-proxies = {HOST}

[guard]
enabled = false
require-author = false
require-email = false
"""
    )


@contextmanager
def serve(work: Path, venv: Path, *, workers: int) -> Iterator[Server]:
    port = free_port()
    db = work / "isso.sqlite3"
    for stale in work.glob("isso.sqlite3*"):
        stale.unlink()
    config = work / "isso.cfg"
    write_config(config, db=db, port=port)
    command = [
        str(venv / "bin" / "gunicorn"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "isso.run:application",
    ]
    with running(
        "isso",
        command,
        port=port,
        log=work / "isso.log",
        ready_path="/info",
        cwd=work,
        env={"ISSO_SETTINGS": str(config)},
    ) as server:
        yield server


def thread_uri(size: int) -> str:
    return f"/article-{size}"


def _post(url: str, payload: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def seed(server: Server, size: int, plan: list[PlannedComment]) -> list[int]:
    """Post `plan` through Isso's own API (POST /new), in order; returns the ids."""
    ids: list[int] = []
    uri = thread_uri(size)
    for item in plan:
        payload: dict[str, object] = {
            "text": item.body,
            "author": item.author,
            "email": item.email,
            "title": f"A discussion of {size} comments",
            "parent": ids[item.parent] if item.parent is not None else None,
        }
        answer = _post(f"{server.url}/new?uri={uri}", payload)
        ids.append(int(str(answer["id"])))
    return ids


def count_comments(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM comments").fetchone()[0])


def count_votes(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT sum(likes) + sum(dislikes) FROM comments").fetchone()
        return int(row[0] or 0)


def stored_tokens(db: Path, tag: str) -> list[str]:
    """Every bench token found in stored comment texts (one entry per comment)."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT text FROM comments WHERE text LIKE ?", (f"%{tag}x%",)
        ).fetchall()
    return [str(row[0]) for row in rows]
