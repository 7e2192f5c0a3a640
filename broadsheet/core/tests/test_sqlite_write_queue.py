"""broadsheet.core.sqlite3: writers of one SQLite file queue for its write lock on an flock
(the contract is the module's docstring). Real database files, real threads, a real fork."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.db.backends.sqlite3 import base as django_sqlite
from django.db.utils import ConnectionHandler

from broadsheet.core.sqlite3 import base as sqlite_backend
from broadsheet.core.sqlite3.base import (
    LONGEST_WAIT_S,
    DatabaseWrapper,
    StatementCursor,
    WriteQueue,
)
from config.env import database_from_url


@pytest.fixture(autouse=True)
def _own_database_files(django_db_blocker: Any) -> Iterator[None]:
    """These tests open database files of their own, not the test database."""
    with django_db_blocker.unblock():
        yield


def _settings(path: Path | str, **options: Any) -> dict[str, Any]:
    """A database as config/env.py configures it for a sqlite:// URL, on `path`."""
    settings: dict[str, Any] = database_from_url("sqlite:///unused.sqlite3")
    settings["NAME"] = str(path)
    settings["OPTIONS"] = {**settings["OPTIONS"], **options}
    return settings


class _Connections:
    """This thread's connection to one database file (each thread has its own)."""

    def __init__(self, path: Path | str, **options: Any) -> None:
        self.handler = ConnectionHandler({"default": _settings(path, **options)})

    def __getitem__(self, alias: str) -> DatabaseWrapper:
        db = self.handler[alias]
        assert isinstance(db, DatabaseWrapper)
        return db


def _handler(path: Path, **options: Any) -> _Connections:
    handler = _Connections(path, **options)
    db = handler["default"]
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT)")
    db.close()
    return handler


@contextmanager
def _atomic(db: DatabaseWrapper) -> Iterator[None]:
    """What transaction.atomic does on the outermost block, on a connection of our own."""
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        yield
    except BaseException:
        db.rollback()
        db.set_autocommit(True)
        raise
    db.commit()
    db.set_autocommit(True)


def _queue_taken(path: Path) -> bool:
    """Whether someone holds the queue's lock (asked through a file of our own)."""
    fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _insert(db: DatabaseWrapper, text: str) -> None:
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO note (text) VALUES (%s)", [text])


def test_a_transaction_holds_the_queue_from_its_begin_to_its_commit(tmp_path: Path) -> None:
    db = _handler(tmp_path / "site.sqlite3")["default"]
    assert not _queue_taken(tmp_path / "site.sqlite3")
    with _atomic(db):
        assert _queue_taken(tmp_path / "site.sqlite3")
        _insert(db, "kept")
    assert not _queue_taken(tmp_path / "site.sqlite3")
    with db.cursor() as cursor:
        cursor.execute("SELECT text FROM note")
        assert cursor.fetchall() == [("kept",)]
    db.close()


def test_a_rollback_and_a_close_give_the_queue_back(tmp_path: Path) -> None:
    db = _handler(tmp_path / "site.sqlite3")["default"]
    with pytest.raises(RuntimeError), _atomic(db):
        _insert(db, "undone")
        raise RuntimeError("the action failed")
    assert not _queue_taken(tmp_path / "site.sqlite3")

    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert _queue_taken(tmp_path / "site.sqlite3")
    db.close()  # a connection dropped in the middle of its transaction
    assert not _queue_taken(tmp_path / "site.sqlite3")
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        assert cursor.fetchone() == (0,)
    db.close()


def test_a_second_writer_waits_for_the_first_and_goes_on_as_soon_as_it_commits(
    tmp_path: Path,
) -> None:
    handler = _handler(tmp_path / "site.sqlite3")
    first_in, events = threading.Event(), []

    def first() -> None:
        db = handler["default"]  # each thread has its own connection, as in a web worker
        with _atomic(db):
            _insert(db, "first")
            first_in.set()
            time.sleep(0.3)
            events.append(("first commits", time.monotonic()))
        events.append(("first committed", time.monotonic()))
        db.close()

    def second() -> None:
        first_in.wait(5)
        db = handler["default"]
        with _atomic(db):
            events.append(("second begins", time.monotonic()))
            _insert(db, "second")
        db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    names = [name for name, _ in events]
    assert names.index("second begins") > names.index("first commits")
    moments = dict(events)
    # Woken within a few of the queue's short waits, not after a busy handler's sleeps.
    assert moments["second begins"] - moments["first commits"] < 0.1 + 10 * LONGEST_WAIT_S
    db = handler["default"]
    with db.cursor() as cursor:
        cursor.execute("SELECT text FROM note ORDER BY id")
        assert cursor.fetchall() == [("first",), ("second",)]
    db.close()


def test_the_wait_is_bounded_by_the_busy_timeout(tmp_path: Path) -> None:
    db = _handler(tmp_path / "site.sqlite3", timeout=0.3)["default"]
    holder = os.open(f"{tmp_path / 'site.sqlite3'}.writelock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another writer, stuck in a long transaction
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), _atomic(db):
            _insert(db, "never")
        assert 0.3 <= time.monotonic() - started < 2
        assert not db.write_queue or not db.write_queue.held
    finally:
        os.close(holder)
    with _atomic(db):  # the holder gone, the connection writes again
        _insert(db, "later")
    db.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_queues_on_a_file_of_its_own(tmp_path: Path) -> None:
    db = _handler(tmp_path / "site.sqlite3", timeout=0.2)["default"]
    with _atomic(db):
        _insert(db, "parent")
        pid = os.fork()
        if pid == 0:  # the child: its copy of the queue must not share the parent's lock
            queue = db.write_queue
            try:
                assert queue is not None
                queue.acquire()
            except sqlite3.OperationalError:  # the queue's own, as SQLite raises it
                os._exit(0)  # waited, as a process of its own must
            except BaseException:
                os._exit(2)
            os._exit(1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    db.close()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        (":memory:", {}),
        ("site.sqlite3", {"write_queue": False}),
        ("site.sqlite3", {"transaction_mode": None}),  # BEGIN DEFERRED takes no write lock
    ],
)
def test_no_queue_where_the_contract_says_so(
    tmp_path: Path, name: str, options: dict[str, Any]
) -> None:
    db = _Connections(tmp_path / name if name != ":memory:" else name, **options)["default"]
    db.ensure_connection()
    assert db.write_queue is None
    db.close()


@pytest.mark.django_db(transaction=True)
def test_the_sites_own_database_queues_its_writers() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (PostgreSQL has no single write lock)")
    with transaction.atomic():
        queue = getattr(connection, "write_queue", None)
        assert isinstance(queue, WriteQueue) and queue.held
    assert not queue.held


@pytest.mark.parametrize(
    "text",
    [
        'SELECT "a" FROM "t" WHERE "b" = %s AND "c" IN (%s, %s)',
        "SELECT 1 WHERE 'x' LIKE '100%%' AND %s",  # a literal % is written %%
        "SELECT '%%s' , %s",  # and a literal %s as %%s
        "UPDATE t SET n = n + %s RETURNING n",
    ],
)
def test_a_statement_text_is_converted_as_djangos_cursor_converts_it(
    tmp_path: Path, text: str
) -> None:
    ours = _Connections(tmp_path / "db.sqlite3")["default"]
    try:
        with ours.cursor() as cursor:
            assert isinstance(cursor.cursor, StatementCursor)
            converted = cursor.cursor.convert_query(text)
            assert converted == django_sqlite.SQLiteCursorWrapper.convert_query(cursor.cursor, text)
            # Kept, and asked again (now from the process's texts), the same.
            assert text in sqlite_backend._converted_texts
            assert cursor.cursor.convert_query(text) == converted
        named = {"a": 1}
        with ours.cursor() as cursor:
            cursor.execute("SELECT %(a)s", named)
            assert cursor.fetchone() == (1,)
    finally:
        ours.close()


def test_statements_with_the_same_text_run_with_their_own_values(tmp_path: Path) -> None:
    ours = _Connections(tmp_path / "db.sqlite3")["default"]
    try:
        with ours.cursor() as cursor:
            cursor.execute("SELECT %s, '100%%'", [1])
            assert cursor.fetchone() == (1, "100%")
            cursor.execute("SELECT %s, '100%%'", [2])
            assert cursor.fetchone() == (2, "100%")
    finally:
        ours.close()
