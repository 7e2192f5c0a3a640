"""The discussion page's two queries, compiled once per shape (compiled.py).

comments_for_thread answers rows shaped like the models (same attribute names) instead
of model instances: building ~80 comments with their authors and profiles, and the SQL
of the two queries, cost Django more than the database takes to answer them
(docs/decisions/compiled-reads.md; figures in docs/performance.md). Every per-call value
is named (thread_id, viewer, root_ids, limit, offset) and every column read by its name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.db import router
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    Placeholders,
    compile_query,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment
from broadsheet.discussion.people import People, people
from broadsheet.discussion.sorting import Sort
from broadsheet.discussion.sorting import order_by as sort_order_by

# Shown: approved comments, and deleted ones that still have visible replies (as a
# "[deleted]" placeholder that keeps the thread readable).
VISIBLE = Q(status=Comment.Status.APPROVED) | Q(status=Comment.Status.DELETED, reply_count__gt=0)


# What moderators see besides, in its place: every comment held for review (to judge it
# in context and approve or reject it there), and the rejected and spam ones (to see what
# was taken out of a conversation, and restore it). The same one query as readers'.
UNPUBLISHED = (Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM)
HELD = Q(status__in=UNPUBLISHED)


def visible_to(viewer: Actor | None) -> Q:
    """VISIBLE, plus the viewer's own held comments (shown to them alone, marked
    "awaiting moderation"): by account, or for guests by the signed reader cookie.
    Moderators see every held, rejected and spam comment too (HELD)."""
    if viewer is None:
        return VISIBLE
    if getattr(viewer, "can_moderate", False):
        return VISIBLE | HELD
    mine = Q(pk__in=[])
    if viewer.is_authenticated:
        mine |= Q(author_id=viewer.user_id)
    elif viewer.reader_hash:
        mine |= Q(author__isnull=True, guest_reader_id=viewer.reader_hash)
    else:
        return VISIBLE
    return VISIBLE | (Q(status=Comment.Status.PENDING) & mine)


@dataclass(slots=True)
class CommentRow:
    """A comment as a discussion page shows it: the displayed fields of Comment (same
    names), with its author joined in. Never holds body_source, ip_hash or e-mails of
    accounts."""

    id: int
    thread_id: int
    parent_id: int | None
    root_id: int | None
    depth: int
    path: str
    status: str
    reply_count: int
    upvotes: int
    downvotes: int
    score: int
    body_html: str
    guest_name: str
    guest_email: str
    guest_website: str
    guest_reader_id: str
    author_id: int | None
    created_at: datetime
    edited_at: datetime | None
    is_featured: bool
    moderation_reason: str
    anchor_kind: str
    anchor_block_id: str
    anchor_quote: str
    anchor_start: int | None
    anchor_end: int | None
    anchor_revision: str
    author: Any  # people().row_author(...): the account's stand-in, or None for guests

    @property
    def pk(self) -> int:
        return self.id

    @property
    def tree_root_id(self) -> int:
        return self.root_id or self.id


# The columns of a CommentRow are its own fields (the same names as Comment's), read in
# that order, then its author's staff badge and the columns the host's people.People
# reads for the author's name and picture (its row_fields, handed over in that order).
_ROW_FIELDS = tuple(f.name for f in fields(CommentRow) if f.name != "author")
_N = len(_ROW_FIELDS)


def _author_fields(host: People) -> tuple[str, ...]:
    return ("author__is_staff", *(f"author__{name}" for name in host.row_fields))


def _comment_row(r: Any, host: People) -> CommentRow:
    """A CommentRow from a compiled row (a named tuple of _ROW_FIELDS + _author_fields)."""
    author = None
    if r.author_id is not None:
        author = host.row_author(r.author_id, r.author_is_staff, r[_N + 1 :])
    # The first _N fields of the row are CommentRow's own, in its order (_ROW_FIELDS).
    row: CommentRow = _new_row(*r[:_N], author=author)
    return row


_new_row: Any = CommentRow
_compiled = CompiledQueries()


def _viewer_shape(viewer: Actor | None) -> str:
    """Which of visible_to's three WHERE shapes `viewer` gets."""
    if viewer is None:
        return "public"
    if viewer.can_moderate:
        return "moderator"
    if viewer.is_authenticated:
        return "account"
    if viewer.reader_hash:
        return "reader"
    return "public"


@dataclass
class _StandInViewer:
    user_id: int | None = None
    reader_hash: str = ""
    can_moderate: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


def _stand_in_viewer(kind: str, p: Placeholders) -> Any:
    """A viewer of shape `kind` whose id or reader hash is the placeholder "viewer"."""
    if kind == "moderator":
        return _StandInViewer(can_moderate=True)
    if kind == "account":
        return _StandInViewer(user_id=p.number("viewer"))
    if kind == "reader":
        return _StandInViewer(reader_hash=p.text("viewer"))
    return None


def _viewer_values(kind: str, viewer: Actor | None) -> dict[str, Any]:
    if viewer is None or kind in ("public", "moderator"):
        return {}
    return {"viewer": viewer.user_id if kind == "account" else viewer.reader_hash}


def _roots_query(alias: str, sort: Sort, kind: str, host: People) -> CompiledQuery:
    p = Placeholders()
    # `parent IS NULL` literally in the WHERE clause lets the planner use the partial
    # indexes of top-level comments.
    rows = (
        Comment.objects.using(alias)
        .filter(thread_id=p.number("thread_id"), parent__isnull=True)
        .filter(visible_to(_stand_in_viewer(kind, p)))
        .order_by(*sort_order_by(sort))
        .values_list(*_ROW_FIELDS, *_author_fields(host))
    )
    return compile_query(rows, p, paged=True)


def _replies_query(
    alias: str, roots: int, kind: str, cap: int | None, host: People
) -> CompiledQuery:
    p = Placeholders()
    viewer = _stand_in_viewer(kind, p)
    rows = (
        Comment.objects.using(alias)
        .filter(root_id__in=p.numbers("root_ids", roots))
        .filter(visible_to(viewer))
        .order_by("root_id", "path")
    )
    if cap is not None:
        position = Window(RowNumber(), partition_by=[F("root_id")], order_by=F("path").asc())
        rows = rows.annotate(position=position).filter(position__lte=cap + 1)
    return compile_query(rows.values_list(*_ROW_FIELDS, *_author_fields(host)), p)


def _one_query(alias: str, host: People) -> CompiledQuery:
    p = Placeholders()
    rows = (
        Comment.objects.using(alias)
        .filter(pk=p.number("comment_id"))
        .values_list(*_ROW_FIELDS, *_author_fields(host))
    )
    return compile_query(rows[:1], p)


def root_rows(
    thread_id: int, *, sort: Sort, viewer: Actor | None, offset: int, limit: int
) -> list[CommentRow]:
    """Up to `limit` top-level comments of a thread from `offset` on, in `sort`, that
    `viewer` may see (visible_to): one query."""
    kind = _viewer_shape(viewer)
    alias = router.db_for_read(Comment)
    host = people()
    query = _compiled.get(
        alias,
        ("roots", sort, kind, host.row_fields),
        lambda a: _roots_query(a, sort, kind, host),
    )
    found = query.rows(
        thread_id=thread_id, limit=limit, offset=offset, **_viewer_values(kind, viewer)
    )
    return [_comment_row(r, host) for r in found]


def reply_rows(root_ids: list[int], *, viewer: Actor | None, cap: int | None) -> list[CommentRow]:
    """The replies of the given top-level comments that `viewer` may see, by root in tree
    order; with `cap`, at most cap + 1 per root (the one past says "more"): one query."""
    kind = _viewer_shape(viewer)
    alias = router.db_for_read(Comment)
    host = people()
    query = _compiled.get(
        alias,
        ("replies", len(root_ids), kind, cap, host.row_fields),
        lambda a: _replies_query(a, len(root_ids), kind, cap, host),
    )
    found = query.rows(root_ids=root_ids, **_viewer_values(kind, viewer))
    return [_comment_row(r, host) for r in found]


def displayed_row(comment_id: int) -> CommentRow | None:
    """One comment as a page shows it, author joined in, whatever its status (callers
    decide what may be shown): what an answer about a new reply names it in reply to."""
    alias = router.db_for_read(Comment)
    host = people()
    query = _compiled.get(alias, ("one", host.row_fields), lambda a: _one_query(a, host))
    for r in query.rows(comment_id=comment_id):
        return _comment_row(r, host)
    return None
