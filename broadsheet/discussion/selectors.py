"""Reads of the discussion engine. Each selector owns its query shape and budget.

A discussion page is PAGE_SIZE top-level comments in the chosen sort (offset paging on
the partial indexes of top-level comments) plus all their replies in ONE query in tree
order — (root, path) — capped per top-level comment with a window function. Its cost
grows with the page size, never with the size of the thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from broadsheet.discussion import conf
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, CommentVote, Thread
from broadsheet.discussion.page_rows import (
    UNPUBLISHED,
    VISIBLE,
    CommentRow,
    displayed_row,
    reply_rows,
    root_rows,
    visible_to,
)
from broadsheet.discussion.people import author_joins
from broadsheet.discussion.sorting import Sort, page_of_position, preceding

# Re-exported: the rows of a discussion page are read through this module.
__all__ = ["UNPUBLISHED", "VISIBLE", "CommentRow", "displayed_row", "visible_to"]

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
    # The window caps what a big tree sends. When no tree on the page has more than
    # `cap` visible replies (and no reader's own held replies can add more), every row is
    # wanted anyway: at most 2 x cap per tree (a "[deleted]" placeholder needs a visible
    # reply below it), so the cost stays bounded without the window.
    windowed = identified or any(root.reply_count > cap for root in roots)
    replies: dict[int, list[CommentRow]] = {}
    more: set[int] = set()
    for reply in reply_rows(with_replies, viewer=viewer, cap=cap if windowed else None):
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
    roots = root_rows(thread.pk, sort=sort, viewer=viewer, offset=offset, limit=size + 1)
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


def page_of_comment(
    comment: Comment, *, sort: Sort, page_size: int | None = None, viewer: Actor | None = None
) -> int:
    """The page (in `sort`) whose top-level comments include `comment`'s tree: 1–2 queries.
    A moderator `viewer` pages through held comments too, as their pages show them."""
    root = root_of(comment)
    if root is None:
        return 1
    roots = _roots(root.thread_id)
    if viewer is not None and viewer.can_moderate:
        roots = Comment.objects.filter(thread_id=root.thread_id, parent__isnull=True).filter(
            visible_to(viewer)
        )
    before = roots.filter(preceding(sort, root)).count()  # type: ignore[arg-type]
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


def threads_by_key_prefix(
    key_prefix: str = "", *, closed: bool | None = None, offset: int = 0, limit: int = 50
) -> list[Thread]:
    """Threads whose key starts with `key_prefix` (an embedding site's: "site:3:"), most
    recently active first; `closed` keeps only closed (True) or open (False) ones. One
    query (the index on key serves the prefix)."""
    threads = Thread.objects.filter(key__startswith=key_prefix)
    if closed is not None:
        threads = threads.filter(is_closed=closed)
    ordered = threads.order_by(F("last_comment_at").desc(nulls_last=True), "-created_at", "-pk")
    return list(ordered[offset : offset + limit])


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
