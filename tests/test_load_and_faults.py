"""Load and faults on the suite's database (SQLite, or PostgreSQL + Redis from the
environment, like the rest of the suite), against the real server (granian, two workers).

- 64 writers for 60 s posting, replying, voting, reacting and subscribing: every write the
  server acknowledged is stored exactly once, no request answers 5xx, and every counter
  (comments on the thread, replies under each comment, votes, reactions) equals both the
  rows it counts and what the writers were told.
- PostgreSQL stopped mid-run (a private cluster of this test's own, started with initdb
  and pg_ctl): pages answer the 503 page and the API its JSON error, never a traceback, and
  the same server processes serve again once it is back.
- Redis stopped mid-run (a private redis-server): the site keeps serving from the database
  and logs a warning.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from broadsheet.articles.models import ArticlePage, ArticleReaction, ArticleReactionTally
from broadsheet.articles.testing import make_article
from broadsheet.core.testing import running_smtp_server
from broadsheet.discussion.models import Comment, CommentVote, Thread
from broadsheet.discussion.testing import make_thread
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.testing import Mailbox
from tests import servers
from tests.load import Answer, Ledger, Load, Target, Writer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The production limits stay, but these writers post from one machine: what a crowd of
# readers behind a proxy would send (each request claims an address of its own, as
# readers' requests would; votes and reactions come from one cookie per writer).
LIMITS = {
    "TRUSTED_PROXIES": "127.0.0.1",
    "BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT": "10000000/60",
    "BROADSHEET_REACTION_RATE_LIMIT": "10000000/60",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Scene:
    target: Target
    thread: Thread
    article: ArticlePage
    mailbox: Mailbox


@contextmanager
def scene(tmp_path: Path, **env: str) -> Iterator[Scene]:
    """A thread and an article on the suite's database, a mail server, and the site
    serving them (env: what differs from the suite's database, cache or mail)."""
    thread = make_thread("load", title="Under load", url="/under-load/")
    article = make_article(title="Reactions under load")
    mailbox = Mailbox()
    with running_smtp_server(mailbox) as mailers:
        options = mailers["default"]["OPTIONS"]
        port = free_port()
        settings = {
            **LIMITS,
            "EMAIL_URL": f"smtp://{options['host']}:{options['port']}",
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            **env,
        }
        (tmp_path / "var").mkdir()
        # Loading Django takes a minute or more on a busy 2-core machine.
        with servers.site(tmp_path / "var", port, up_within=300, **settings):
            target = Target(port, thread.key, thread.pk, article.pk)
            yield Scene(target, thread, article, mailbox)


def check_database(ledger: Ledger, scene: Scene, *, exact: bool = True) -> None:
    """Every acknowledged write stored once; every counter equal to its rows and (exact:
    when every request was answered) to what the writers were told. After an outage a
    write may be stored whose answer was an error, so then only the first two hold."""
    rows = list(
        Comment.objects.filter(thread=scene.thread).values_list(
            "id",
            "parent_id",
            "status",
            "body_source",
            "reply_count",
            "upvotes",
            "downvotes",
            "score",
        )
    )
    stored = {row[0]: row[3] for row in rows}
    lost = {cid for cid, body in ledger.comments.items() if stored.get(cid) != body}
    assert lost == set(), "acknowledged comments missing or changed"
    twice = [body for body, n in Counter(stored.values()).items() if n > 1]
    assert twice == [], "comments stored twice"

    approved = {row[0] for row in rows if row[2] == Comment.Status.APPROVED}
    scene.thread.refresh_from_db()
    assert scene.thread.comment_count == len(approved)
    parents = {row[0]: row[1] for row in rows}
    below: Counter[int] = Counter()
    for cid in approved:
        parent = parents[cid]
        while parent is not None:
            below[parent] += 1
            parent = parents[parent]
    assert {row[0]: row[4] for row in rows} == {row[0]: below[row[0]] for row in rows}

    votes = Counter(
        CommentVote.objects.filter(comment__thread=scene.thread).values_list("comment_id", "value")
    )
    told = Counter((comment, value) for (_, comment), value in ledger.votes.items() if value)
    for cid, _, _, _, _, up, down, score in rows:
        assert (up, down, score) == (votes[cid, 1], votes[cid, -1], votes[cid, 1] - votes[cid, -1])
    if exact:
        assert +votes == +told

    reactions = Counter(
        ArticleReaction.objects.filter(article=scene.article).values_list("value", flat=True)
    )
    tally = ArticleReactionTally.objects.filter(article=scene.article).first()
    up, down = (tally.up, tally.down) if tally else (0, 0)
    assert (up, down) == (reactions[1], reactions[-1])
    if not exact:
        return
    expected = Counter(ledger.reactions.values())
    assert (up, down) == (expected[1], expected[-1])

    subscribed = set(
        Subscription.objects.filter(thread=scene.thread).values_list("email", flat=True)
    )
    assert subscribed == ledger.subscribed
    confirmations = Counter(str(m["To"]) for m in scene.mailbox.messages)
    assert confirmations == Counter(ledger.subscribed)


def test_sixty_four_writers_for_a_minute_lose_nothing_and_count_exactly(tmp_path: Path) -> None:
    with scene(tmp_path) as stage, Load(stage.target, 64) as load:
        time.sleep(60)
    ledger = load.ledger
    print(f"\n64 writers, 60 s on {connection.vendor}: {dict(sorted(ledger.answers.items()))}")
    assert ledger.server_errors == []
    assert ledger.failures == []
    assert ledger.answers["post 201"] > 0 and ledger.answers["vote 200"] > 0
    check_database(ledger, stage)


# --- faults -------------------------------------------------------------------------


def unavailable(errors: list[str]) -> list[str]:
    """The server errors that are not the outage's 503 page or JSON error."""
    return [
        e
        for e in errors
        if e.split(" ", 2)[1] != "503"
        or not ("Back in a moment" in e or '"unavailable"' in e)
        or "Traceback" in e
    ]


def listeners(port: int) -> set[int]:
    """The processes listening on port (the server's workers)."""
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    return {
        int(part.split("=")[1])
        for part in out.stdout.replace(",", " ").split()
        if part.startswith("pid=")
    }


@dataclass
class Cluster:
    """A PostgreSQL server of this test's own: initdb in a temporary directory."""

    bin: Path
    base: Path
    port: int
    run_as: list[str]

    def ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -F"
        self.ctl("-l", str(self.base / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/broadsheet"


@contextmanager
def private_postgres() -> Iterator[Cluster]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    initdb = found[-1] if found else (Path(shutil.which("initdb") or "/nonexistent"))
    if not initdb.exists():
        pytest.skip("PostgreSQL's initdb and pg_ctl are needed")
    # PostgreSQL refuses to run as root: then it runs as the postgres user.
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="broadsheet-pg-"))
    if run_as:
        shutil.chown(base, "postgres")
    cluster = Cluster(initdb.parent, base, free_port(), run_as)
    subprocess.run(
        [
            *run_as,
            str(initdb),
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ],
        check=True,
        capture_output=True,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        subprocess.run(
            [
                *run_as,
                str(cluster.bin / "pg_ctl"),
                "-D",
                str(base / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def copy_database(cluster: Cluster) -> None:
    """The suite's test database (schema and the rows this test made) into the cluster."""
    db = connection.settings_dict
    source = (
        f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    psql = [str(cluster.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"]
    psql += ["-p", str(cluster.port), "-U", "postgres"]
    subprocess.run([*psql, "-d", "postgres", "-c", "CREATE DATABASE broadsheet"], check=True)
    dump = subprocess.run(
        [str(cluster.bin / "pg_dump"), "--no-owner", "--no-privileges", source],
        check=True,
        capture_output=True,
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
    )
    subprocess.run([*psql, "-d", "broadsheet"], input=dump.stdout, check=True, capture_output=True)


@contextmanager
def database(url_settings: dict[str, Any]) -> Iterator[None]:
    """This test process's connection pointed elsewhere for a while."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(url_settings)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def outage_answers(target: Target) -> tuple[Answer, Answer]:
    """A page and an API listing, asked while the database is down."""
    writer = Writer(999, target, Ledger())
    page = writer.request("GET", f"/discussion/t/{target.thread_id}/")
    api = writer.request("GET", f"/api/v1/threads/{target.thread_key}/comments")
    return page, api


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL stopped: in the PostgreSQL pass",
)
def test_postgres_stopped_mid_run_is_a_503_and_the_same_processes_serve_again(
    tmp_path: Path,
) -> None:
    make_thread("load", title="Under load", url="/under-load/")
    make_article(title="Reactions under load")
    with private_postgres() as cluster:
        copy_database(cluster)
        with scene(tmp_path, DATABASE_URL=cluster.url) as stage, Load(stage.target, 8) as load:
            load.wait_for(20)
            workers = listeners(stage.target.port)
            cluster.stop()
            page, api = outage_answers(stage.target)
            down = len(load.ledger.comments)
            time.sleep(3)
            assert len(load.ledger.comments) == down  # nothing acknowledged meanwhile
            cluster.start()
            load.wait_for(down + 20)
            assert listeners(stage.target.port) == workers  # no restart
        with database({"HOST": "127.0.0.1", "PORT": str(cluster.port), "NAME": "broadsheet"}):
            print(f"\nPostgreSQL stopped for 3 s: {dict(sorted(load.ledger.answers.items()))}")
            assert (page.status, "text/html" in page.content_type) == (503, True)
            assert b"Back in a moment" in page.body and b"Traceback" not in page.body
            assert (api.status, api.json()["error"]["code"]) == (503, "unavailable")
            assert unavailable(load.ledger.server_errors) == []
            assert load.ledger.answers["post 503"] > 0
            stage.thread = Thread.objects.get(key="load")
            stage.article = ArticlePage.objects.get(title="Reactions under load")
            check_database(load.ledger, stage, exact=False)


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is needed")
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis stopped: in the Redis pass")
def test_redis_stopped_mid_run_the_site_serves_from_the_database_and_warns(
    tmp_path: Path, capfd: Any
) -> None:
    port = free_port()
    redis = f"redis://127.0.0.1:{port}/0"
    with (
        private_redis(port) as first,
        # The live events go through this Redis too, as in production.
        scene(tmp_path, REDIS_URL=redis, BROADSHEET_LIVE_BACKEND="") as stage,
        Load(stage.target, 8) as load,
    ):
        load.wait_for(20)
        first.send_signal(signal.SIGTERM)
        first.wait(10)
        down = len(load.ledger.comments)
        load.wait_for(down + 20)  # served (and posted) without Redis
        with private_redis(port):
            load.wait_for(len(load.ledger.comments) + 20)
    print(f"\nRedis stopped: {dict(sorted(load.ledger.answers.items()))}")
    assert load.ledger.server_errors == []
    assert "Redis unreachable" in capfd.readouterr().err
    check_database(load.ledger, stage, exact=not load.ledger.failures)
