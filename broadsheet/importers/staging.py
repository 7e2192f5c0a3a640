"""A scratch SQLite file between reading an export and writing it here.

Exports list comments in their own order (Disqus: by id, every thread's posts
interleaved; replies may come before their parents). Writing thread by thread, each in
its own transaction, needs them grouped; holding a million comments in memory to group
them is what peers' importers do and what this avoids. The parser streams rows into a
temporary SQLite file on disk (deleted afterwards); the writer then reads one thread's
comments at a time. The scratch file is not the site's database: nothing is written
there until the whole export has been read and found well-formed.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from types import TracebackType
from typing import Any


@dataclass
class SourceThread:
    source_id: str
    identifier: str = ""
    link: str = ""
    title: str = ""
    created_at: datetime | None = None
    is_closed: bool = False
    is_deleted: bool = False


@dataclass
class SourceComment:
    source_id: str
    thread_id: str
    created_at: datetime
    body: str  # Markdown
    status: str  # a Comment.Status value
    parent_id: str = ""
    name: str = ""
    email: str = ""
    website: str = ""
    ip: str = ""
    upvotes: int = 0
    downvotes: int = 0
    account_id: int | None = None
    edited_at: datetime | None = None
    # render_markdown(body), when made while reading (importers/reader.py); None: the
    # discussion's write path renders it.
    body_html: str | None = None


_THREAD_COLUMNS = [f.name for f in fields(SourceThread)]
_COMMENT_COLUMNS = [f.name for f in fields(SourceComment)]
_DATES = {"created_at", "edited_at"}


# Rows written to the scratch file at a time: memory stays flat past this many.
_BATCH = 500


class _Columns:
    """A record's columns to a scratch row and back. Dates are stored as UTC ISO text
    (sortable as text, and no reliance on sqlite3's deprecated default adapters). The
    columns are read with one attrgetter and only the date columns converted: a
    generator over every field of every comment was a tenth of reading an export."""

    def __init__(self, record: type[SourceThread] | type[SourceComment]) -> None:
        self.names = [f.name for f in fields(record)]
        self.record = record
        self._get = attrgetter(*self.names)
        self._dates = [i for i, name in enumerate(self.names) if name in _DATES]

    def stored(self, row: object) -> tuple[object, ...]:
        values = self._get(row)
        if not any(values[i] is not None for i in self._dates):
            return values  # type: ignore[no-any-return]
        converted = list(values)
        for i in self._dates:
            if converted[i] is not None:
                converted[i] = converted[i].astimezone(UTC).isoformat()
        return tuple(converted)

    def loaded(self, row: tuple[Any, ...]) -> Any:
        converted = list(row)
        for i in self._dates:
            if converted[i]:
                converted[i] = datetime.fromisoformat(converted[i])
        return self.record(*converted)


_THREAD = _Columns(SourceThread)
_COMMENT = _Columns(SourceComment)
stored_thread = _THREAD.stored
stored_comment = _COMMENT.stored


def _insert_sql(table: str, columns: list[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


class Staging:
    """Threads and comments of one export, grouped by thread on disk."""

    def __init__(self, directory: str | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="broadsheet-import-", dir=directory)
        self.db = sqlite3.connect(Path(self._dir.name) / "staging.sqlite3")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        thread_cols = ", ".join(_THREAD_COLUMNS)
        comment_cols = ", ".join(_COMMENT_COLUMNS)
        self.db.execute(f"CREATE TABLE threads (seq INTEGER PRIMARY KEY, {thread_cols})")
        self.db.execute(f"CREATE TABLE comments (seq INTEGER PRIMARY KEY, {comment_cols})")
        self._pending: list[tuple[object, ...]] = []
        self.comment_total = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    def add_thread(self, thread: SourceThread) -> None:
        marks = ", ".join("?" * len(_THREAD_COLUMNS))
        self.db.execute(
            f"INSERT INTO threads ({', '.join(_THREAD_COLUMNS)}) VALUES ({marks})",  # noqa: S608
            _THREAD.stored(thread),
        )

    def add_comment(self, comment: SourceComment) -> None:
        self._pending.append(_COMMENT.stored(comment))
        self.comment_total += 1
        if len(self._pending) >= _BATCH:
            self.flush()

    def add_rows(self, threads: list[tuple[Any, ...]], comments: list[tuple[Any, ...]]) -> None:
        """Rows already in the scratch file's form (``stored_thread``/``stored_comment``,
        made in another process), written as they are."""
        for row in threads:
            self.db.execute(_insert_sql("threads", _THREAD_COLUMNS), row)
        if comments:
            self.flush()
            self.db.executemany(_insert_sql("comments", _COMMENT_COLUMNS), comments)
            self.comment_total += len(comments)

    def flush(self) -> None:
        if self._pending:
            marks = ", ".join("?" * len(_COMMENT_COLUMNS))
            self.db.executemany(
                f"INSERT INTO comments ({', '.join(_COMMENT_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                self._pending,
            )
            self._pending = []

    def finish(self) -> None:
        """Index the comments by thread, once, after the last one."""
        self.flush()
        self.db.execute("CREATE INDEX comments_thread ON comments (thread_id, created_at)")
        self.db.commit()

    def threads(self) -> Iterator[SourceThread]:
        """Every thread, plus a placeholder for each thread id comments name but the
        export does not list (kept, and reported as a thread with no page)."""
        columns = ", ".join(_THREAD_COLUMNS)
        rows = self.db.execute(f"SELECT {columns} FROM threads ORDER BY seq").fetchall()  # noqa: S608
        listed = set()
        for row in rows:
            listed.add(row[0])
            yield _THREAD.loaded(row)
        for (thread_id,) in self.db.execute("SELECT DISTINCT thread_id FROM comments").fetchall():
            if thread_id not in listed:
                yield SourceThread(source_id=thread_id, is_deleted=False, title="")

    def listed_thread_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT source_id FROM threads")}

    def comments_of(self, thread_id: str) -> list[SourceComment]:
        columns = ", ".join(_COMMENT_COLUMNS)
        rows = self.db.execute(
            f"SELECT {columns} FROM comments WHERE thread_id = ? ORDER BY created_at, seq",  # noqa: S608
            (thread_id,),
        )
        return [_COMMENT.loaded(row) for row in rows]

    def thread_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM threads").fetchone()[0])
