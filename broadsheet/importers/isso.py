"""An Isso database (SQLite), read where it lies.

Isso keeps ``threads (id, uri, title)`` and ``comments (tid, id, parent, created,
modified, mode, remote_addr, text, author, email, website, likes, dislikes, voters,
notification)``: ``created``/``modified`` are Unix times (UTC), ``mode`` is 1 accepted,
2 pending moderation, 4 deleted (kept as a placeholder because it has replies), the
text is the Markdown its author wrote, and votes are counts (``voters`` is a Bloom
filter of addresses: no voter can be named). The file is opened read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from broadsheet.discussion.models import Comment
from broadsheet.importers.report import ImportReport
from broadsheet.importers.staging import SourceComment, SourceThread

SOURCE = "isso"
MODES = {1: Comment.Status.APPROVED, 2: Comment.Status.PENDING, 4: Comment.Status.DELETED}


class NotAnIssoDatabase(Exception):
    pass


def _time(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a Unix time")
    return datetime.fromtimestamp(float(value), tz=UTC)


class IssoDatabase:
    """Isso's threads and comments, as the comment importer reads them."""

    def __init__(self, path: str | Path, report: ImportReport) -> None:
        if not Path(path).is_file():
            raise NotAnIssoDatabase(f"{path}: no such file")
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        try:
            self.db = sqlite3.connect(uri, uri=True)
            tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as error:
            raise NotAnIssoDatabase(f"{path} is not an SQLite database: {error}") from None
        if not {"threads", "comments"} <= tables:
            raise NotAnIssoDatabase(f"{path} has no Isso threads and comments tables")
        self.report = report

    def close(self) -> None:
        self.db.close()

    def comment_total(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0])

    def threads(self) -> Iterator[SourceThread]:
        for tid, uri, title in self.db.execute("SELECT id, uri, title FROM threads ORDER BY id"):
            self.report.count("threads read")
            yield SourceThread(
                source_id=str(tid), identifier=uri or "", link=uri or "", title=title or ""
            )

    def comments_of(self, thread_id: str) -> list[SourceComment]:
        rows = self.db.execute(
            "SELECT id, parent, created, modified, mode, remote_addr, text, author, email,"
            " website, likes, dislikes FROM comments WHERE tid = ? ORDER BY created, id",
            (int(thread_id),),
        )
        comments = []
        for row in rows:
            (
                cid,
                parent,
                created,
                modified,
                mode,
                addr,
                text,
                author,
                email,
                website,
                likes,
                dislikes,
            ) = row
            self.report.count("comments read")
            try:
                status = MODES.get(mode)
                if status is None:
                    raise ValueError(f"mode {mode!r} is not 1, 2 or 4")
                comments.append(
                    SourceComment(
                        source_id=str(cid),
                        thread_id=thread_id,
                        parent_id=str(parent) if parent is not None else "",
                        created_at=_time(created),
                        edited_at=_time(modified) if modified else None,
                        body=text or "",
                        status=status.value,
                        name=author or "",
                        email=email or "",
                        website=website or "",
                        ip=addr or "",
                        upvotes=max(int(likes or 0), 0),
                        downvotes=max(int(dislikes or 0), 0),
                    )
                )
            except (TypeError, ValueError) as error:
                self.report.note("records skipped for a bad value", f"comment {cid}: {error}")
        return comments
