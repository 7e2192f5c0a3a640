"""Broadsheet as production runs it: scripts/serve.sh (granian WSGI + the task worker),
its production settings with only the rate-limit thresholds lifted (bench/bench_settings.py),
SQLite, against a var dir of the bench's own (never the developer's var/).

Inside `with postgres(database_url, redis_url)`, the same functions run Broadsheet on
PostgreSQL + Redis instead (DATABASE_URL, REDIS_URL): the scale path of a growing site.
The database named there is the bench's own, dropped and created again by `postgres`.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.servers import Server, free_port, running

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
SETTINGS = "bench.bench_settings"


@dataclass(frozen=True)
class SeededThread:
    size: int
    article_url: str
    thread_key: str
    comment_ids: list[int]
    queries_per_article_page: int
    seed_seconds: float


# DATABASE_URL and REDIS_URL while `postgres()` is active; empty: SQLite.
_BACKEND: dict[str, str] = {}


@contextmanager
def postgres(database_url: str, redis_url: str) -> Iterator[None]:
    """Run Broadsheet on PostgreSQL + Redis inside the block: a fresh database of the
    bench's own (the one in `database_url`, dropped first) and an emptied Redis DB."""
    import psycopg
    import redis

    name = urlsplit(database_url).path.lstrip("/")
    if not name.startswith("bench_"):
        raise ValueError(f"refusing to drop {name!r}: the bench drops only bench_* databases")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()
    _BACKEND.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url})
    try:
        yield
    finally:
        _BACKEND.clear()


def backend() -> str:
    return "postgresql" if _BACKEND else "sqlite"


def environment(var_dir: Path) -> dict[str, str]:
    return {
        **_BACKEND,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "BROADSHEET_VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "BROADSHEET_DEMO": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    }


def prepare(var_dir: Path, sizes: list[int]) -> list[SeededThread]:
    """A fresh database with one article per size, and the static files its pages link."""
    if var_dir.exists():
        shutil.rmtree(var_dir)
    (var_dir / "assets" / "vendor").mkdir(parents=True)
    # What `make assets` does for var/: htmx from node_modules.
    htmx = REPO / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    if htmx.exists():
        shutil.copy(htmx, var_dir / "assets" / "vendor" / "htmx.min.js")
    env = {**os.environ, **environment(var_dir)}
    subprocess.run(
        [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    done = subprocess.run(
        [str(PYTHON), "bench/seed_broadsheet.py", *map(str, sizes)],
        cwd=REPO,
        # Queries are counted on rendered pages, not on page-cache hits.
        env={**env, "BENCH_PAGE_CACHE": "off"},
        check=True,
        capture_output=True,
        text=True,
    )
    threads = []
    for item in json.loads(done.stdout)["threads"]:
        if item["inconsistencies"]:
            raise RuntimeError(f"seeded thread is inconsistent: {item['inconsistencies']}")
        threads.append(
            SeededThread(
                size=int(item["size"]),
                article_url=str(item["article_url"]),
                thread_key=str(item["thread_key"]),
                comment_ids=[int(pk) for pk in item["comment_ids"]],
                queries_per_article_page=int(item["queries_per_article_page"]),
                seed_seconds=float(item["seed_seconds"]),
            )
        )
    return threads


@contextmanager
def serve(
    var_dir: Path, work: Path, *, workers: int, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """scripts/serve.sh, exactly as `make serve` runs it, on a free port."""
    port = free_port()
    env = {
        **environment(var_dir),
        "PORT": str(port),
        "WORKERS": str(workers),
        **(extra_env or {}),
    }
    with running(
        "broadsheet",
        ["scripts/serve.sh"],
        port=port,
        log=work / "broadsheet.log",
        ready_path="/healthz",
        cwd=REPO,
        env=env,
        # 4 workers each load Django and Wagtail: minutes on a busy 2-CPU machine.
        ready_timeout=60.0 * workers,
    ) as server:
        wait_for_tasks(var_dir)
        yield server


def wait_for_tasks(var_dir: Path, *, limit_s: float = 300.0) -> int:
    """Wait (bounded) until the task worker has done what the seeding queued (a notice
    task per posted comment, search indexing): reads are measured on a machine that is
    not busy with background work left over from the set-up. Returns the tasks left."""
    query = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE status IN ('READY', 'RUNNING')"
    )
    deadline = time.monotonic() + limit_s
    while True:
        with _db(var_dir) as connection:
            left = int(connection.execute(query).fetchone()[0])
        if left == 0 or time.monotonic() > deadline:
            return left
        time.sleep(1.0)


def csrf_headers(server: Server) -> dict[str, str]:
    """The cookie and header an API write needs (GET /api/v1/csrf, as the docs say)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{server.url}/api/v1/csrf", timeout=10) as response:
        token = json.loads(response.read())["csrf_token"]
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return {"Cookie": f"csrftoken={cookie}", "X-CSRFToken": token}


class _Database:
    """SQLite (the var dir's file) or PostgreSQL (DATABASE_URL under `postgres()`), with
    SQLite's "?" placeholders."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.connection: Any = None

    def __enter__(self) -> _Database:
        if _BACKEND:
            import psycopg

            self.connection = psycopg.connect(_BACKEND["DATABASE_URL"], autocommit=True)
        else:
            self.connection = sqlite3.connect(self.var_dir / "broadsheet.sqlite3", timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.close()

    def execute(self, query: str, params: tuple[object, ...] = ()) -> Any:
        if _BACKEND:
            query = query.replace("?", "%s")
        return self.connection.execute(query, params)


def _db(var_dir: Path) -> _Database:
    return _Database(var_dir)


def count_comments(var_dir: Path) -> int:
    with _db(var_dir) as connection:
        return int(connection.execute("SELECT count(*) FROM discussion_comment").fetchone()[0])


def count_votes(var_dir: Path) -> int:
    with _db(var_dir) as connection:
        query = "SELECT count(*) FROM discussion_commentvote"
        return int(connection.execute(query).fetchone()[0])


def held_with_tag(var_dir: Path, tag: str) -> int:
    """Comments of a posting run that did not go straight to the page (held, rejected)."""
    with _db(var_dir) as connection:
        row = connection.execute(
            "SELECT count(*) FROM discussion_comment "
            "WHERE body_source LIKE ? AND status != 'approved'",
            (f"%{tag}x%",),
        ).fetchone()
    return int(row[0])


def stored_tokens(var_dir: Path, tag: str) -> list[str]:
    """Every stored comment text carrying a bench token of `tag` (one entry per comment)."""
    with _db(var_dir) as connection:
        rows = connection.execute(
            "SELECT body_source FROM discussion_comment WHERE body_source LIKE ?",
            (f"%{tag}x%",),
        ).fetchall()
    return [str(row[0]) for row in rows]
