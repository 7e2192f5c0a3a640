"""Bringing a whole discussion in at once (importers, restores), invariants kept.

``do_import_comments`` writes many comments of one thread with a few bulk statements
instead of one posting call per comment, and stores exactly what posting, deleting and
voting would have: root, depth and path from each comment's place in its tree (the
same fixed-width segments and the same overflow rule as posting), ``reply_count`` of
every ancestor (new ones and ones already here), the thread's ``comment_count`` and
``last_comment_at``, votes as ``CommentVote`` rows behind the counters, and the body
rendered by the same Markdown pipeline. ``testing.thread_inconsistencies`` finds
nothing after it, which the tests check.

It never changes a comment that is already here beyond adding new visible replies to
its ``reply_count``, and publishes one ``CommentsImported`` after commit, not a
``CommentPosted`` per comment: nobody is notified of a reply written years ago.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, connections, transaction

from broadsheet.core.errors import ActionError
from broadsheet.discussion.actions._shared import _after_commit
from broadsheet.discussion.actions.threads import check_register_thread
from broadsheet.discussion.comment_writes import (
    add_imported_to_thread,
    add_to_reply_counts,
    locked_thread_state,
)
from broadsheet.discussion.events import CommentsImported
from broadsheet.discussion.formatting import render_markdown
from broadsheet.discussion.models import (
    PATH_MAX_SEGMENTS,
    PATH_SEGMENT,
    Comment,
    CommentVote,
    Thread,
    path_ids,
    path_segment,
)

# Imported votes name no voter (Disqus, Isso and wpDiscuz keep only counts, or hashes
# of addresses): each becomes a row with a key of this prefix, which no reader's key
# (u:, r:) can ever equal, so the counters stay a count of rows.
IMPORTED_VOTER_PREFIX = "i:"


@dataclass(frozen=True)
class ImportedComment:
    """One comment to import. `ref` is the caller's name for it, unique in one call;
    its parent is either another comment of the same call (`parent_ref`) or one already
    in this thread (`parent_id`), or neither for a top-level comment."""

    ref: str
    created_at: datetime
    body_source: str
    status: Comment.Status = Comment.Status.APPROVED
    parent_ref: str | None = None
    parent_id: int | None = None
    author_id: int | None = None
    guest_name: str = ""
    guest_email: str = ""
    guest_website: str = ""
    ip_hash: str = ""
    moderation_reason: str = ""
    edited_at: datetime | None = None
    upvotes: int = 0
    downvotes: int = 0
    # What a restore of Broadsheet's own export carries besides (importers.export):
    # the votes with their voters (None: `upvotes`/`downvotes` anonymous ones), the
    # guest's reader hash, the editors' pick, the open-report counter and the anchor.
    votes: tuple[ImportedVote, ...] | None = None
    guest_reader_id: str = ""
    is_featured: bool = False
    featured_at: datetime | None = None
    report_count: int = 0
    anchor_kind: str = ""
    anchor_block_id: str = ""
    anchor_quote: str = ""
    anchor_start: int | None = None
    anchor_end: int | None = None
    anchor_revision: str = ""
    # ``render_markdown(body_source)`` when the caller has already made it (an importer
    # renders while it reads the export, in its reading process's spare time); None:
    # rendered here. Never anything else: it is stored as the comment's HTML.
    body_html: str | None = None


@dataclass(frozen=True)
class ImportedVote:
    """One voter's vote on an imported comment, as Broadsheet's own export keeps it."""

    voter_key: str
    value: int
    created_at: datetime
    ip_hash: str = ""


@dataclass
class _Row:
    item: ImportedComment
    parent: _Row | None
    depth: int = 0
    comment: Placed | None = None


@dataclass(frozen=True)
class Placed:
    """Where an imported comment was stored: its id and its place in the tree."""

    pk: int
    parent_id: int | None
    root_id: int | None
    depth: int
    path: str


def check_import_comments(*, thread: Thread, comments: Sequence[ImportedComment]) -> None:
    """Every ref unique, every parent_ref one of this call's, no cycle, counts >= 0."""
    refs = {item.ref for item in comments}
    if len(refs) != len(comments):
        raise ActionError("Each imported comment needs its own ref.")
    by_ref = {item.ref: item for item in comments}
    anchor_kinds = frozenset(Comment.AnchorKind.values)  # a new list at each access
    for item in comments:
        if item.parent_ref is not None and item.parent_ref not in refs:
            raise ActionError(f"Comment {item.ref}: its parent {item.parent_ref} is not in it.")
        if item.parent_ref is not None and item.parent_id is not None:
            raise ActionError(f"Comment {item.ref}: two parents.")
        if item.upvotes < 0 or item.downvotes < 0 or item.report_count < 0:
            raise ActionError(f"Comment {item.ref}: negative votes.")
        if item.anchor_kind not in anchor_kinds:
            raise ActionError(f"Comment {item.ref}: anchor kind {item.anchor_kind!r}.")
        if item.created_at.tzinfo is None:
            raise ActionError(f"Comment {item.ref}: a naive date.")
        if item.votes is not None:
            _check_votes(item)
    for item in comments:  # a cycle would never reach a top-level comment
        seen = {item.ref}
        current = item
        while current.parent_ref is not None:
            current = by_ref[current.parent_ref]
            if current.ref in seen:
                raise ActionError(f"Comment {item.ref}: its parents form a cycle.")
            seen.add(current.ref)


def _check_votes(item: ImportedComment) -> None:
    """Named votes must be the counters: one row per voter, +1 or -1, summing up."""
    assert item.votes is not None
    keys = {vote.voter_key for vote in item.votes}
    if len(keys) != len(item.votes) or "" in keys:
        raise ActionError(f"Comment {item.ref}: each vote needs its own voter.")
    if any(vote.value not in (1, -1) for vote in item.votes):
        raise ActionError(f"Comment {item.ref}: a vote is +1 or -1.")
    up = sum(1 for vote in item.votes if vote.value == 1)
    if (up, len(item.votes) - up) != (item.upvotes, item.downvotes):
        raise ActionError(f"Comment {item.ref}: its votes do not add up to its counters.")


def do_import_comments(*, thread: Thread, comments: Sequence[ImportedComment]) -> dict[str, Placed]:
    """Store `comments` in `thread` in one transaction; returns where each ref went.

    Locks the thread row (as posting does, so live posts to the same thread wait), and
    the existing parents named by ``parent_id``. Existing parents must belong to the
    thread; they may have any status (an old reply to a since-deleted comment still
    hangs under its placeholder). `thread`'s ``comment_count`` is read back afterwards
    and its ``last_comment_at`` moved up to the newest imported date.
    """
    check_import_comments(thread=thread, comments=comments)
    if not comments:
        return {}
    with transaction.atomic():
        _, _, thread_key = locked_thread_state(thread.pk)
        existing = _existing_parents(thread, comments)
        rows = _plan(comments)
        gained = _insert(thread, rows, existing)
        _count(thread, rows, gained)
        _votes(rows)
        _after_commit(CommentsImported(thread_id=thread.pk, thread_key=thread_key, count=len(rows)))
        _, thread.comment_count, _ = locked_thread_state(thread.pk)
    return {row.item.ref: row.comment for row in rows if row.comment is not None}


def do_import_thread(
    *,
    key: str,
    title: str,
    url: str,
    created_at: datetime,
    is_closed: bool = False,
    last_comment_at: datetime | None = None,
) -> tuple[Thread, bool]:
    """The thread with `key`, made as the export had it when it is not here yet
    (closed or open, its dates); returns it and whether it was made. A thread already
    here is returned as it is: a restore never reopens or closes a live discussion.

    No audit row and no event: a discussion coming back as it was is not a moderator's
    decision, and nobody is watching a thread that did not exist a moment ago (the
    import run is the audit row of the whole restore)."""
    check_register_thread(key=key, title=title, url=url)
    existing = Thread.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        thread = Thread.objects.create(
            key=key,
            title=title[: Thread._meta.get_field("title").max_length],  # type: ignore[misc]
            url=url,
            created_at=created_at,
            is_closed=is_closed,
            last_comment_at=last_comment_at,
        )
    return thread, True


def _existing_parents(thread: Thread, comments: Sequence[ImportedComment]) -> dict[int, Comment]:
    wanted = {item.parent_id for item in comments if item.parent_id is not None}
    if not wanted:
        return {}
    found = {
        comment.pk: comment
        for comment in Comment.objects.select_for_update()
        .filter(pk__in=wanted)
        .only("pk", "thread_id", "root_id", "depth", "path")
    }
    for pk in wanted:
        if pk not in found or found[pk].thread_id != thread.pk:
            raise ActionError(f"Comment {pk} is not a comment of this discussion.")
    return found


def _plan(comments: Sequence[ImportedComment]) -> list[_Row]:
    """Rows in an order where every parent comes before its replies (oldest first among
    what is ready), whatever order the source listed them in."""
    rows = {item.ref: _Row(item=item, parent=None) for item in comments}
    for row in rows.values():
        if row.item.parent_ref is not None:
            row.parent = rows[row.item.parent_ref]

    def depth(row: _Row) -> int:
        chain = 0
        current = row
        while current.parent is not None:
            chain += 1
            current = current.parent
        return chain

    for row in rows.values():
        row.depth = depth(row)
    return sorted(rows.values(), key=lambda row: (row.depth, row.item.created_at, row.item.ref))


def _reserve_ids(count: int) -> list[int]:
    """`count` comment ids no other writer can take, reserved before inserting, so each
    row goes in once, complete with its path (which is made of ids).

    PostgreSQL: drawn from the id column's sequence. SQLite: past both the largest id
    and the AUTOINCREMENT high-water mark (ids of deleted rows are never reused), safe
    because this transaction began IMMEDIATE and holds the database's one write lock.
    """
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX(id) FROM {quoted}")  # noqa: S608 - the model's table
        largest = int(cursor.fetchone()[0] or 0)
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        mark = cursor.fetchone()
        start = max(largest, int(mark[0]) if mark else 0) + 1
    return list(range(start, start + count))


# The columns an import sets, in this order; every other column gets its field's default.
_IMPORT_COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "author_id",
    "guest_name",
    "guest_email",
    "guest_website",
    "body_source",
    "body_html",
    "status",
    "moderation_reason",
    "created_at",
    "edited_at",
    "depth",
    "path",
    "reply_count",
    "upvotes",
    "downvotes",
    "score",
    "ip_hash",
    "guest_reader_id",
    "is_featured",
    "featured_at",
    "report_count",
    "anchor_kind",
    "anchor_block_id",
    "anchor_quote",
    "anchor_start",
    "anchor_end",
    "anchor_revision",
)


@cache
def _insert_statement(alias: str) -> tuple[str, tuple[Any, ...]]:
    """The INSERT of one comment (the set columns, then the others) and the prepared
    defaults of the others, made once."""
    connection = connections[alias]
    by_name = {field.attname: field for field in Comment._meta.concrete_fields}
    rest = [field for name, field in by_name.items() if name not in _IMPORT_COLUMNS]
    columns = [by_name[name] for name in _IMPORT_COLUMNS] + rest
    tail = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    table = connection.ops.quote_name(Comment._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})", tail  # noqa: S608


def _insert(thread: Thread, rows: list[_Row], existing: dict[int, Comment]) -> Counter[int]:
    """Insert every row with one prepared statement; returns what the comments already
    here gain in reply_count."""
    rendered: dict[str, str] = {}
    for row, pk in zip(rows, _reserve_ids(len(rows)), strict=True):
        parent = _parent_comment(row, existing)  # rows are in tree order: parents are set
        row.comment = Placed(
            pk=pk,
            parent_id=parent.pk if parent else None,
            root_id=(parent.root_id or parent.pk) if parent else None,
            depth=_position_depth(parent),
            path=_position_path(parent, pk),
        )
    # Visible descendants are counted along paths, as posting counts them (past the
    # path's last segment a reply sits beside its parent and does not count for it).
    gained: Counter[int] = Counter()
    for row in rows:
        if row.item.status == Comment.Status.APPROVED and row.comment is not None:
            gained.update(path_ids(row.comment.path)[:-1])
    statement, tail = _insert_statement(connection.alias)
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for row in rows:
        item, placed = row.item, row.comment
        assert placed is not None
        deleted = item.status == Comment.Status.DELETED
        body = "" if deleted else item.body_source
        if body and item.body_html is not None:
            html = item.body_html
        else:
            if body not in rendered:
                rendered[body] = render_markdown(body) if body else ""
            html = rendered[body]
        # The values the model's fields would store, without building model instances
        # or preparing field by field (those were most of an import's time).
        values = (
            placed.pk,
            thread.pk,
            placed.parent_id,
            placed.root_id,
            item.author_id,
            item.guest_name[:120],
            item.guest_email[:254],
            item.guest_website[:300],
            body,
            html,
            str(item.status),
            item.moderation_reason[:200],
            adapt(item.created_at),
            adapt(item.edited_at) if item.edited_at else None,
            placed.depth,
            placed.path,
            gained.pop(placed.pk, 0),
            item.upvotes,
            item.downvotes,
            item.upvotes - item.downvotes,
            item.ip_hash,
            item.guest_reader_id[:32],
            item.is_featured,
            adapt(item.featured_at) if item.featured_at else None,
            item.report_count,
            item.anchor_kind,
            item.anchor_block_id[:64],
            item.anchor_quote,
            item.anchor_start,
            item.anchor_end,
            item.anchor_revision[:64],
        )
        params.append(values + tail)
    with connection.cursor() as cursor:
        # One prepared INSERT for every row: the ORM's bulk_create compiled each batch
        # anew and cost more than the database's work.
        cursor.executemany(statement, params)
    return gained


def _parent_comment(row: _Row, existing: dict[int, Comment]) -> Comment | Placed | None:
    if row.parent is not None:
        return row.parent.comment
    if row.item.parent_id is not None:
        return existing[row.item.parent_id]
    return None


def _position_depth(parent: Comment | Placed | None) -> int:
    if parent is None:
        return 0
    return parent.depth + 1 if parent.depth + 1 < PATH_MAX_SEGMENTS else parent.depth


def _position_path(parent: Comment | Placed | None, comment_id: int) -> str:
    """As posting places a comment: under its parent, or beside it once paths are full."""
    segment = path_segment(comment_id)
    if parent is None:
        return segment
    if parent.depth + 1 < PATH_MAX_SEGMENTS:
        return parent.path + segment
    return parent.path[:-PATH_SEGMENT] + segment


def _count(thread: Thread, rows: list[_Row], gained: Counter[int]) -> None:
    """Existing ancestors gain the new visible replies below them; the thread gains
    every new visible comment (added in the database, never read-modify-write)."""
    if gained:
        add_to_reply_counts(amounts=dict(gained))
    visible = sum(1 for row in rows if row.item.status == Comment.Status.APPROVED)
    # Posting touches last_comment_at for every comment, whatever became of it later.
    latest = max(row.item.created_at for row in rows)
    add_imported_to_thread(thread_id=thread.pk, visible=visible, latest=latest)
    if thread.last_comment_at is None or thread.last_comment_at < latest:
        thread.last_comment_at = latest


def _votes(rows: list[_Row]) -> None:
    if not any(row.item.votes or row.item.upvotes or row.item.downvotes for row in rows):
        return  # most imported comments carry no vote: no ORM call for nothing
    votes: list[CommentVote] = []
    for row in rows:
        assert row.comment is not None
        if row.item.votes is not None:
            votes.extend(
                CommentVote(
                    comment_id=row.comment.pk,
                    voter_key=vote.voter_key,
                    value=vote.value,
                    ip_hash=vote.ip_hash,
                    created_at=vote.created_at,
                )
                for vote in row.item.votes
            )
            continue
        for number in range(row.item.upvotes + row.item.downvotes):
            votes.append(
                CommentVote(
                    comment_id=row.comment.pk,
                    voter_key=f"{IMPORTED_VOTER_PREFIX}{number}",
                    value=1 if number < row.item.upvotes else -1,
                    created_at=row.item.created_at,
                )
            )
    CommentVote.objects.bulk_create(votes, batch_size=1000)
