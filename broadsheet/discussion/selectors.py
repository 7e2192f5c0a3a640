"""Reads of the discussion engine. Each selector owns its query shape and budget.

A discussion page is PAGE_SIZE top-level comments in the chosen sort (offset paging on
the partial indexes of top-level comments) plus all their replies in ONE query in tree
order — (root, path) — capped per top-level comment with a window function. Its cost
grows with the page size, never with the size of the thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import router
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from broadsheet.discussion import conf
from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    compile_query,
    sentinel_int,
    sentinel_str,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import (
    PATH_MAX_SEGMENTS,
    PATH_SEGMENT,
    Comment,
    CommentVote,
    Thread,
    path_ids,
    path_segment,
)
from broadsheet.discussion.people import People, author_joins, people
from broadsheet.discussion.sorting import Sort, page_of_position, preceding
from broadsheet.discussion.sorting import order_by as sort_order_by

# Shown: approved comments, and deleted ones that still have visible replies (as a
# "[deleted]" placeholder that keeps the thread readable).
VISIBLE = Q(status=Comment.Status.APPROVED) | Q(status=Comment.Status.DELETED, reply_count__gt=0)
# Never needed to display a comment, and some must never leave the server.
_NOT_DISPLAYED = (
    "body_source",
    "ip_hash",
    "author__password",
    "author__email",
    "author__last_login",
    "author__date_joined",
)
ROOT_PAGE_REPLIES = 200


def displayed_comments() -> QuerySet[Comment]:
    """Comments with what a reader sees (author names and profiles joined in), secrets
    left out."""
    return Comment.objects.select_related(*author_joins()).defer(*_NOT_DISPLAYED)


def thread_by_key(key: str) -> Thread | None:
    return Thread.objects.filter(key=key).first()


# --- light rows of a discussion page --------------------------------------------------
#
# comments_for_thread answers rows shaped like the models (same attribute names) instead
# of model instances: building ~80 comments with their authors and profiles, and the SQL
# of the two queries, cost Django more than the database takes to answer them.


# The columns of a CommentRow, in order, then its author's staff badge and the columns
# the host's people.People reads for the author's name and picture (its row_fields).
_ROW_FIELDS = (
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "depth",
    "path",
    "status",
    "reply_count",
    "upvotes",
    "downvotes",
    "score",
    "body_html",
    "guest_name",
    "guest_email",
    "guest_website",
    "guest_reader_id",
    "author_id",
    "created_at",
    "edited_at",
    "is_featured",
    "moderation_reason",
    "anchor_kind",
    "anchor_block_id",
    "anchor_quote",
    "anchor_start",
    "anchor_end",
    "anchor_revision",
)


def _author_fields() -> tuple[str, ...]:
    return ("author__is_staff", *(f"author__{name}" for name in people().row_fields))


_N = len(_ROW_FIELDS)
_AUTHOR_ID = _ROW_FIELDS.index("author_id")


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
    def is_top_level(self) -> bool:
        return self.parent_id is None

    @property
    def tree_root_id(self) -> int:
        return self.root_id or self.id


def _comment_row(values: tuple[Any, ...] | list[Any], host: People) -> CommentRow:
    author = None
    author_id = values[_AUTHOR_ID]
    if author_id is not None:
        author = host.row_author(author_id, values[_N], values[_N + 1 :])
    # Positional: the columns come in the order of the fields.
    row: CommentRow = _new_row(*values[:_N], author=author)
    return row


_new_row: Any = CommentRow
_compiled = CompiledQueries()


def _viewer_shape(viewer: Actor | None) -> tuple[str, Actor | None]:
    """Which of visible_to's three WHERE shapes `viewer` gets."""
    if viewer is None:
        return "public", None
    if viewer.is_authenticated:
        return "account", viewer
    if viewer.reader_hash:
        return "reader", viewer
    return "public", None


def _shape_viewer(kind: str, slot: int) -> tuple[Any, dict[Hashable, int]]:
    """A stand-in viewer of shape `kind` whose id or reader hash is sentinel `slot`."""
    if kind == "account":
        return _SentinelViewer(user_id=sentinel_int(slot)), {sentinel_int(slot): slot}
    if kind == "reader":
        return _SentinelViewer(reader_hash=sentinel_str(slot)), {sentinel_str(slot): slot}
    return None, {}


@dataclass
class _SentinelViewer:
    user_id: int | None = None
    reader_hash: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


def _viewer_value(kind: str, viewer: Actor | None) -> Any:
    if viewer is None:
        return None
    return viewer.user_id if kind == "account" else viewer.reader_hash


def _roots_query(alias: str, sort: Sort, kind: str, offset: int, limit: int) -> CompiledQuery:
    viewer, sentinels = _shape_viewer(kind, 1)
    rows = (
        Comment.objects.using(alias)
        .filter(thread_id=sentinel_int(0), parent__isnull=True)
        .filter(visible_to(viewer))  # type: ignore[arg-type]
        .order_by(*sort_order_by(sort))
        .values_list(*_ROW_FIELDS, *_author_fields())[offset : offset + limit]
    )
    return compile_query(rows, {sentinel_int(0): 0, **sentinels})


def _replies_query(alias: str, roots: int, kind: str, cap: int | None) -> CompiledQuery:
    viewer, sentinels = _shape_viewer(kind, 0)
    ids = [sentinel_int(slot) for slot in range(1, roots + 1)]
    rows = (
        Comment.objects.using(alias)
        .filter(root_id__in=ids)
        .filter(visible_to(viewer))  # type: ignore[arg-type]
        .order_by("root_id", "path")
    )
    if cap is not None:
        position = Window(RowNumber(), partition_by=[F("root_id")], order_by=F("path").asc())
        rows = rows.annotate(position=position).filter(position__lte=cap + 1)
    return compile_query(
        rows.values_list(*_ROW_FIELDS, *_author_fields()),
        {**sentinels, **{value: slot for slot, value in enumerate(ids, start=1)}},
    )


def displayed_row(comment_id: int) -> CommentRow | None:
    """One comment as a page shows it, author joined in, whatever its status (callers
    decide what may be shown): what an answer about a new reply names it in reply to."""
    alias = router.db_for_read(Comment)
    query = _compiled.get(("one", alias), lambda: _one_query(alias))
    for values in query.rows([comment_id]):
        return _comment_row(values, people())
    return None


def _one_query(alias: str) -> CompiledQuery:
    rows = (
        Comment.objects.using(alias)
        .filter(pk=sentinel_int(0))
        .values_list(*_ROW_FIELDS, *_author_fields())
    )
    return compile_query(rows[:1], {sentinel_int(0): 0})


# What a page of comments holds: model instances, or rows of the same shape.
Displayed = Comment | CommentRow


@dataclass
class ThreadPage:
    """One page of a discussion: top-level comments with their replies in tree order."""

    thread: Thread
    sort: Sort
    number: int
    page_size: int
    roots: Sequence[Displayed]
    replies: Mapping[int, Sequence[Displayed]] = field(default_factory=dict)
    more_replies: set[int] = field(default_factory=set)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def comments(self) -> list[Displayed]:
        """Every comment on the page, each root followed by its replies."""
        out: list[Displayed] = []
        for root in self.roots:
            out.append(root)
            out.extend(self.replies.get(root.pk, []))
        return out


def visible_to(viewer: Actor | None) -> Q:
    """VISIBLE, plus the viewer's own held comments (shown to them alone, marked
    "awaiting moderation"): by account, or for guests by the signed reader cookie."""
    if viewer is None:
        return VISIBLE
    mine = Q(pk__in=[])
    if viewer.is_authenticated:
        mine |= Q(author_id=viewer.user_id)
    elif viewer.reader_hash:
        mine |= Q(author__isnull=True, guest_reader_id=viewer.reader_hash)
    else:
        return VISIBLE
    return VISIBLE | (Q(status=Comment.Status.PENDING) & mine)


def _replies_of(
    roots: Sequence[Displayed], cap: int, viewer: Actor | None = None
) -> tuple[dict[int, list[CommentRow]], set[int]]:
    """Up to `cap` replies of each root, in tree order, in one query."""
    # A viewer's own held reply is not in reply_count (visible ones only), so a reader
    # who may have one asks for the replies of every root on the page.
    identified = viewer is not None and (viewer.is_authenticated or bool(viewer.reader_id))
    with_replies = [root.pk for root in roots if root.reply_count > 0 or identified]
    if not with_replies:
        return {}, set()
    kind, shaped = _viewer_shape(viewer)
    # The window caps what a big tree sends. When no tree on the page has more than
    # `cap` visible replies (and no reader's own held replies can add more), every row is
    # wanted anyway: at most 2 x cap per tree (a "[deleted]" placeholder needs a visible
    # reply below it), so the cost stays bounded without the window.
    windowed = identified or any(root.reply_count > cap for root in roots)
    alias = router.db_for_read(Comment)
    query = _compiled.get(
        ("replies", alias, len(with_replies), kind, cap if windowed else None),
        lambda: _replies_query(alias, len(with_replies), kind, cap if windowed else None),
    )
    replies: dict[int, list[CommentRow]] = {}
    more: set[int] = set()
    host = people()
    for values in query.rows([_viewer_value(kind, shaped), *with_replies]):
        reply = _comment_row(values, host)
        bucket = replies.setdefault(reply.root_id or 0, [])
        if len(bucket) < cap:
            bucket.append(reply)
        else:
            more.add(reply.root_id or 0)
    return replies, more


def _roots(thread_id: int) -> QuerySet[Comment]:
    # `parent IS NULL` literally in the WHERE clause lets the planner use the partial
    # indexes of top-level comments.
    return Comment.objects.filter(thread_id=thread_id, parent__isnull=True).filter(VISIBLE)


def comments_for_thread(
    thread: Thread,
    *,
    sort: Sort,
    page: int = 1,
    page_size: int | None = None,
    replies_per_root: int | None = None,
    viewer: Actor | None = None,
) -> ThreadPage:
    """Page `page` of a discussion in `sort`: at most 2 queries at any thread size.
    With `viewer`, their own held comments are included (see visible_to)."""
    size = page_size or conf.page_size()
    cap = replies_per_root or conf.replies_per_root()
    number = max(1, page)
    offset = (number - 1) * size
    kind, shaped = _viewer_shape(viewer)
    alias = router.db_for_read(Comment)
    query = _compiled.get(
        ("roots", alias, sort, kind, offset, size + 1),
        lambda: _roots_query(alias, sort, kind, offset, size + 1),
    )
    host = people()
    roots = [
        _comment_row(values, host)
        for values in query.rows([thread.pk, _viewer_value(kind, shaped)])
    ]
    has_next = len(roots) > size
    roots = roots[:size]
    replies, more = _replies_of(roots, cap, viewer)
    return ThreadPage(
        thread=thread,
        sort=sort,
        number=number,
        page_size=size,
        roots=roots,
        replies=replies,
        more_replies=more,
        has_next=has_next,
    )


def featured_comments(thread: Thread, *, page: int = 1, page_size: int | None = None) -> ThreadPage:
    """The editor's picks of a discussion ("Featured" view), most recently featured first,
    each shown on its own (replies included as picks in their own right): 1 query."""
    size = page_size or conf.page_size()
    number = max(1, page)
    offset = (number - 1) * size
    rows = list(
        displayed_comments()
        .filter(thread_id=thread.pk, is_featured=True, status=Comment.Status.APPROVED)
        .order_by("-featured_at", "-pk")[offset : offset + size + 1]
    )
    return ThreadPage(
        thread=thread,
        sort=Sort.NEWEST,
        number=number,
        page_size=size,
        roots=rows[:size],
        has_next=len(rows) > size,
    )


@dataclass
class RootPage:
    """A top-level comment with its replies, ROOT_PAGE_REPLIES at a time ("View all")."""

    thread: Thread
    root: Comment
    replies: list[Comment]
    next_after: str | None


def comment_tree(
    root: Comment,
    *,
    after: str = "",
    limit: int = ROOT_PAGE_REPLIES,
    viewer: Actor | None = None,
) -> RootPage:
    """All replies of `root` in tree order, keyset-paged on the path: 1 query. With a
    `viewer`, their own held replies too, as on the discussion's pages (visible_to)."""
    rows = (
        displayed_comments()
        .filter(root_id=root.pk)
        .filter(visible_to(viewer))  # type: ignore[arg-type]
        .order_by("path")
    )
    if after:
        rows = rows.filter(path__gt=after)
    replies = list(rows[: limit + 1])
    next_after = replies[limit - 1].path if len(replies) > limit else None
    return RootPage(thread=root.thread, root=root, replies=replies[:limit], next_after=next_after)


def root_of(comment: Comment) -> Comment | None:
    """The top-level comment of `comment`'s tree (itself for a top-level comment)."""
    if comment.root_id is None:
        return comment
    return Comment.objects.filter(pk=comment.root_id).first()


def page_of_comment(comment: Comment, *, sort: Sort, page_size: int | None = None) -> int:
    """The page (in `sort`) whose top-level comments include `comment`'s tree: 1–2 queries."""
    root = root_of(comment)
    if root is None:
        return 1
    before = _roots(root.thread_id).filter(preceding(sort, root)).count()  # type: ignore[arg-type]
    return page_of_position(before, page_size or conf.page_size())


def votes_by_voter(voter_key: str | None, comment_ids: Iterable[int]) -> dict[int, int]:
    """{comment id: +1/-1} of one voter on the given comments, in one query."""
    ids = list(comment_ids)
    if not voter_key or not ids:
        return {}
    return dict(
        CommentVote.objects.filter(voter_key=voter_key, comment_id__in=ids).values_list(
            "comment_id", "value"
        )
    )


def comment_counts(keys: list[str]) -> dict[str, int]:
    """{thread key: visible comments} for listings; 0 for unknown keys. One query."""
    counts = dict.fromkeys(keys, 0)
    if keys:
        counts.update(Thread.objects.filter(key__in=keys).values_list("key", "comment_count"))
    return counts


def threads_most_discussed(
    *, key_prefix: str = "article-", limit: int = 5, since: datetime | None = None
) -> list[Thread]:
    """The threads with the most visible comments (posted since `since`, when given).

    Without `since` this reads the maintained counters; with it, it counts the recent
    comments of recently active threads only (index on thread, created_at). One query.
    """
    threads = Thread.objects.filter(key__startswith=key_prefix, comment_count__gt=0)
    if since is None:
        return list(threads.order_by("-comment_count", "-last_comment_at", "pk")[:limit])
    recent = Count(
        "comments",
        filter=Q(comments__created_at__gte=since, comments__status=Comment.Status.APPROVED),
    )
    return list(
        threads.filter(last_comment_at__gte=since)
        .annotate(recent_comments=recent)
        .filter(recent_comments__gt=0)
        .order_by("-recent_comments", "-comment_count", "pk")[:limit]
    )


def thread_inconsistencies(thread: Thread) -> list[str]:
    """Every stored counter, path and depth of `thread` checked against a recount from the
    rows themselves; [] when all agree. For tests, the demo loader and repairs."""
    problems: list[str] = []
    rows = {
        row["pk"]: row
        for row in Comment.objects.filter(thread=thread).values(
            "pk",
            "parent_id",
            "root_id",
            "depth",
            "path",
            "status",
            "reply_count",
            "upvotes",
            "downvotes",
            "score",
        )
    }
    votes: dict[int, Counter[int]] = {}
    for comment_id, value, n in (
        CommentVote.objects.filter(comment__thread=thread)
        .values_list("comment_id", "value")
        .annotate(n=Count("pk"))
    ):
        votes.setdefault(comment_id, Counter())[value] = n
    visible_descendants: Counter[int] = Counter()
    approved = 0
    for pk, row in rows.items():
        parent = rows.get(row["parent_id"]) if row["parent_id"] else None
        expected: tuple[int, str, int | None]
        if parent is None:
            expected = (0, path_segment(pk), None)
        elif parent["depth"] + 1 < PATH_MAX_SEGMENTS:
            expected = (
                parent["depth"] + 1,
                parent["path"] + path_segment(pk),
                parent["root_id"] or parent["pk"],
            )
        else:
            expected = (
                parent["depth"],
                parent["path"][:-PATH_SEGMENT] + path_segment(pk),
                parent["root_id"] or parent["pk"],
            )
        if (row["depth"], row["path"], row["root_id"]) != expected:
            problems.append(
                f"comment {pk}: depth/path/root "
                f"{(row['depth'], row['path'], row['root_id'])} != {expected}"
            )
        tally = votes.get(pk, Counter())
        if (row["upvotes"], row["downvotes"], row["score"]) != (
            tally[1],
            tally[-1],
            tally[1] - tally[-1],
        ):
            problems.append(
                f"comment {pk}: votes {row['upvotes']}/{row['downvotes']} != {tally[1]}/{tally[-1]}"
            )
        if row["status"] == Comment.Status.APPROVED:
            approved += 1
            for ancestor in path_ids(row["path"])[:-1]:
                visible_descendants[ancestor] += 1
    for pk, row in rows.items():
        if row["reply_count"] != visible_descendants[pk]:
            problems.append(
                f"comment {pk}: reply_count {row['reply_count']} != {visible_descendants[pk]}"
            )
    thread.refresh_from_db(fields=["comment_count"])
    if thread.comment_count != approved:
        problems.append(f"thread {thread.pk}: comment_count {thread.comment_count} != {approved}")
    return problems


def visible_comment_total(thread: Thread) -> int:
    """A recount of the visible comments (the counter's truth), for tests and repairs."""
    return Comment.objects.filter(thread=thread, status=Comment.Status.APPROVED).count()


# --- reads for the accounts app (My comments, data export, account deletion) -------------


def comments_by_author(user_id: int) -> QuerySet[Comment]:
    """An account's comments, newest first, with their threads joined in (deleted ones
    left out): one query per page, plus one to count."""
    return (
        Comment.objects.filter(author_id=user_id)
        .exclude(status=Comment.Status.DELETED)
        .select_related("thread")
        .defer("ip_hash", "guest_email", "guest_reader_id")
        .order_by("-created_at", "-pk")
    )


def votes_by_account(user_id: int) -> QuerySet[CommentVote]:
    """An account's comment votes, newest first."""
    return CommentVote.objects.filter(voter_key=f"u:{user_id}").order_by("-created_at", "-pk")


def thread_keys_of_author(user_id: int) -> list[str]:
    """The keys of the threads an account has commented in (their cached pages show its
    name and avatar). One query."""
    return list(
        Thread.objects.filter(comments__author_id=user_id).values_list("key", flat=True).distinct()
    )
