"""Django's SQLite back-end, with writers queued for the write lock by the kernel
instead of SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the write lock taken
sleeps in SQLite's busy handler, 1 ms, then 2, 5, 10 … up to 100 ms between tries, however
soon the lock frees. A vote holds the lock for a fraction of a millisecond, so with two web
processes writing, each collision cost its writer several times the other's whole
transaction, with its process idle meanwhile (the admission gate lets one request of a
process run at a time, core/admission.py). Measured in docs/performance.md, "Posting and
voting: writers queued for SQLite's write lock".

The contract (ENGINE "broadsheet.core.sqlite3", which config/env.py names for every
sqlite:// DATABASE_URL; tested in core/tests/test_sqlite_write_queue.py):

- Before an `atomic` block's `BEGIN IMMEDIATE`, the connection takes an exclusive `flock`
  on `<database file>.writelock`; it gives it back once the transaction has ended: after
  its COMMIT or ROLLBACK (whether they succeed or raise), or when the connection closes.
  The next writer gets it within a fraction of a millisecond (short sleeps between tries,
  never longer than LONGEST_WAIT_S). Every connection opens the file for itself, so
  threads of one process queue as processes do, and a forked child never shares its
  parent's lock; a process that dies gives its lock back with its files (the kernel's
  doing).
- The wait is bounded by the connection's `timeout` option, SQLite's own busy timeout:
  past it the writer gets "database is locked" (django.db.OperationalError), as it would
  have from SQLite after waiting as long.
- SQLite's own locking is still what keeps data safe. Writes outside `atomic`
  (autocommit statements), other programs and the sqlite3 shell do not take this lock,
  and need not: it only decides who tries first.
- Only where `atomic` takes the write lock at once (`transaction_mode` IMMEDIATE or
  EXCLUSIVE, config/env.py's), and never for an in-memory database or with
  `OPTIONS["write_queue"] = False`: elsewhere this is Django's back-end exactly.

Statement texts converted once: Django writes parameters as `%s` and its SQLite cursor
turns each statement's text into SQLite's `?` form on every execution (a regular
expression, behind a lazy proxy); a post runs some fifteen statements, the same texts each
time. `StatementCursor` keeps each text's converted form (a BoundedLRU of
BROADSHEET_SQL_TEXTS_BYTES per process), so a text is converted once per process; the
result is exactly Django's (tested in core/tests/test_sqlite_write_queue.py). Named
(`%(name)s`) parameters are converted as Django does, every time.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base

from broadsheet.core.lru import BoundedLRU, setting_bytes

# A vote's transaction takes a fraction of a millisecond: the first tries come quickly,
# and no sleep is longer than SQLite's shortest (1 ms).
FIRST_WAIT_S = 0.00005
LONGEST_WAIT_S = 0.0005
QUEUED_MODES = frozenset({"IMMEDIATE", "EXCLUSIVE"})


class WriteQueue:
    """One connection's place in the queue of writers of one database file."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.held = False
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            # After a fork the inherited descriptor (and the lock on it) is the parent's.
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        """Take the lock, or raise "database is locked" after `timeout` seconds."""
        fd = self._file()
        wait = FIRST_WAIT_S
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT_S)
            else:
                self.held = True
                return

    def release(self) -> None:
        if self.held:
            self.held = False
            if self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


# Statement text in Django's `%s` form -> SQLite's `?` form, for every connection of the
# process (the texts are the program's, not the data's).
_converted_texts: BoundedLRU[str, str] = BoundedLRU(
    setting_bytes("BROADSHEET_SQL_TEXTS_BYTES", 512 * 1024)
)


class StatementCursor(base.SQLiteCursorWrapper):
    """Django's SQLite cursor, converting each statement text once per process."""

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:
            return str(super().convert_query(query, param_names=param_names))
        converted = _converted_texts.get(query)
        if converted is None:
            converted = str(super().convert_query(query))
            _converted_texts.put(query, converted)
        return converted


# django-stubs leave out the back-end's private hooks overridden here (hence the ignores).
class DatabaseWrapper(base.DatabaseWrapper):
    write_queue: WriteQueue | None = None

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=StatementCursor)

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        params.pop("write_queue", None)
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # Made with each connection, not with the wrapper: the test runner names its own
        # database file after the wrapper was made.
        if self.write_queue is not None:
            self.write_queue.close()
        self.write_queue = None
        options = self.settings_dict.get("OPTIONS", {})
        if (
            options.get("write_queue", True)
            and getattr(self, "transaction_mode", None) in QUEUED_MODES
            and not self.is_in_memory_db()
        ):
            self.write_queue = WriteQueue(
                f"{self.settings_dict['NAME']}.writelock", float(options.get("timeout", 5))
            )
        return connection

    def _start_transaction_under_autocommit(self) -> None:  # type: ignore[misc]
        if self.write_queue is None:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        with self.wrap_database_errors:
            self.write_queue.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self.write_queue.release()
            raise

    def _commit(self) -> None:  # type: ignore[misc]
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            if self.write_queue is not None:
                self.write_queue.release()

    def _rollback(self) -> None:  # type: ignore[misc]
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            if self.write_queue is not None:
                self.write_queue.release()

    def _close(self) -> None:  # type: ignore[misc]
        try:
            super()._close()  # type: ignore[misc]
        finally:
            if self.write_queue is not None:
                self.write_queue.close()
