"""Realistic demo discussions, loaded in bulk.

``seed_thread`` writes a whole discussion with a handful of bulk inserts (thousands of
comments in a second or two) instead of one action call per comment. Everything it
stores — depth, path, root, reply_count, votes, score, the thread's comment_count — is
exactly what do_post_comment / do_delete_comment / do_cast_vote would have produced; a
test replays a seeded thread through the actions and compares, and
``testing.thread_inconsistencies`` must find nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone

from broadsheet.discussion.comment_writes import set_paths
from broadsheet.discussion.formatting import render_markdown
from broadsheet.discussion.identity import reader_hash
from broadsheet.discussion.models import (
    PATH_MAX_SEGMENTS,
    PATH_SEGMENT,
    Comment,
    CommentVote,
    Thread,
    path_segment,
)

ROOT_SHARE = 0.3  # share of comments that start a new top-level thread
LONG_SHARE = 0.07  # share of comments made of several bank entries (folded ones)
DELETED_SHARE = 0.02  # comments deleted by their author (placeholders when replied to)
DEFAULT_BODIES = [{"body": "An interesting article."}]


@dataclass
class _Planned:
    index: int
    parent: int | None
    depth: int
    author: Any
    guest_name: str
    body: str
    created_at: datetime
    deleted: bool
    votes: list[tuple[str, int]] = field(default_factory=list)
    comment: Comment | None = None


def _guest_email(name: str) -> str:
    local = "".join(
        ch for ch in name.lower().replace(" ", ".") if ch.isascii() and (ch.isalnum() or ch == ".")
    )
    return f"{local or 'guest'}@example.org"


class _Deck:
    """Texts dealt without repeats until all have been used, then reshuffled: a thread
    of a few dozen comments never shows the same text twice."""

    def __init__(self, rng: random.Random, entries: Sequence[dict[str, str]]) -> None:
        self.rng = rng
        self.bodies = [str(entry["body"]) for entry in entries]
        self.left: list[str] = []

    def deal(self) -> str:
        if not self.left:
            self.left = list(self.bodies)
            self.rng.shuffle(self.left)
        return self.left.pop()

    def body(self) -> str:
        if self.rng.random() < LONG_SHARE and len(self.bodies) > 3:
            return "\n\n".join(self.deal() for _ in range(3))
        return self.deal()


# How long after publication people comment: most within hours (TYPICAL_DELAY on
# average, less for a story published an hour ago), a few days later, none in the future.
TYPICAL_DELAY = timedelta(hours=7).total_seconds()
LATE_SHARE = 0.12  # comments that arrive any time later (a link shared again)


def activity_offsets(rng: random.Random, count: int, span: float) -> list[float]:
    """`count` sorted delays in seconds in [60 s, `span` − 30 s] after publication,
    heaviest soon after it, so that replies (planned later) come after their parents."""
    span = max(span, 120.0)
    mean = min(TYPICAL_DELAY, span / 4)
    offsets = []
    for _ in range(count):
        delay = span * rng.random() if rng.random() < LATE_SHARE else rng.expovariate(1 / mean)
        offsets.append(min(max(delay, 60.0), span - 30.0))
    return sorted(offsets)


def backdate_comments(
    comment_ids: Sequence[int], *, start: datetime, end: datetime, rng: random.Random
) -> None:
    """Give demo comments posted through the actions just now the dates readers would
    have given them: spread after `start` as activity_offsets does, in id order (a
    reply, posted after its parent, stays after it). Demo loading only: no event, no
    audit row (nothing a reader did)."""
    offsets = activity_offsets(rng, len(comment_ids), (end - start).total_seconds())
    dated = {
        pk: start + timedelta(seconds=offset)
        for pk, offset in zip(sorted(comment_ids), offsets, strict=True)
    }
    rows = list(Comment.objects.filter(pk__in=dated))
    for row in rows:
        row.created_at = dated[row.pk]
    Comment.objects.bulk_update(rows, ["created_at"], batch_size=500)
    for thread_id in {row.thread_id for row in rows}:
        latest = Comment.objects.filter(thread_id=thread_id).aggregate(at=Max("created_at"))
        Thread.objects.filter(pk=thread_id).update(last_comment_at=latest["at"])


# A reply to a reply is written by the person the reply answered this often: the two
# talk to each other instead of each line coming from a stranger.
ANSWER_BACK_SHARE = 0.4


def _who(item: _Planned) -> tuple[str, object]:
    return ("u", item.author.pk) if item.author is not None else ("g", item.guest_name)


def _plan(
    *,
    count: int,
    max_depth: int,
    rng: random.Random,
    bank: dict[str, Any],
    users: Sequence[Any],
    start: datetime,
    end: datetime,
) -> list[_Planned]:
    guests = [c["name"] for c in bank.get("commenters", []) if c.get("kind") == "guest"] or [
        "A reader"
    ]
    roots = _Deck(rng, bank.get("comments") or DEFAULT_BODIES)
    replies = _Deck(rng, bank.get("replies") or bank.get("comments") or DEFAULT_BODIES)
    offsets = activity_offsets(rng, count, max((end - start).total_seconds(), 60.0))
    planned: list[_Planned] = []
    for index in range(count):
        parent: _Planned | None = None
        if planned and rng.random() >= ROOT_SHARE:
            recent = planned[-25:]
            candidates = [
                p for p in (recent if rng.random() < 0.6 else planned) if p.depth < max_depth
            ]
            if candidates:
                parent = rng.choice(candidates)
        author, guest_name = _author(rng, parent, planned, users, guests)
        planned.append(
            _Planned(
                index=index,
                parent=parent.index if parent else None,
                depth=(parent.depth + 1) if parent else 0,
                author=author,
                guest_name=guest_name,
                body=(replies if parent else roots).body(),
                created_at=start + timedelta(seconds=offsets[index]),
                deleted=rng.random() < DELETED_SHARE,
            )
        )
    readers = [f"r:demo-reader-{n}" for n in range(200)]
    accounts = [(f"u:{user.pk}", user.pk) for user in users]
    for item in planned:
        if item.deleted:
            continue
        # Most comments get a few votes, a few get many; top-level ones more than replies.
        popularity = rng.random() ** 2
        wanted = 1 + int(popularity * 18) if item.parent is None else int(popularity * 9)
        wanted += rng.random() < 0.5
        for _ in range(wanted):
            key, user_id = (
                rng.choice(accounts)
                if accounts and rng.random() < 0.3
                else (rng.choice(readers), None)
            )
            if item.author is not None and user_id == item.author.pk:
                continue  # nobody votes on their own comment
            if any(existing == key for existing, _ in item.votes):
                continue
            item.votes.append((key, 1 if rng.random() < 0.78 else -1))
    return planned


def _author(
    rng: random.Random,
    parent: _Planned | None,
    planned: list[_Planned],
    users: Sequence[Any],
    guests: Sequence[str],
) -> tuple[Any, str]:
    """(account or None, guest name) of a new comment: never the author of the comment it
    answers; under a reply, often the person that reply answered."""
    if parent is not None and parent.parent is not None and rng.random() < ANSWER_BACK_SHARE:
        answered = planned[parent.parent]
        if _who(answered) != _who(parent) and not answered.deleted:
            return answered.author, answered.guest_name
    for _ in range(20):
        author = rng.choice(list(users)) if users and rng.random() < 0.65 else None
        guest_name = "" if author is not None else rng.choice(list(guests))
        candidate = ("u", author.pk) if author is not None else ("g", guest_name)
        if parent is None or candidate != _who(parent):
            return author, guest_name
    # A bank with a single possible author: a stranger answers instead.
    return None, "Another reader" if parent and _who(parent) == ("g", "A reader") else "A reader"


def seed_thread(
    thread: Thread,
    *,
    count: int,
    max_depth: int,
    rng: random.Random,
    bank: dict[str, Any],
    users: Sequence[Any],
    start: datetime | None = None,
    end: datetime | None = None,
) -> int:
    """Add `count` comments (trees up to `max_depth` replies deep) with votes to `thread`,
    between `start` (default: the thread's creation) and `end` (default: now).
    Returns the number of comments written."""
    if count <= 0:
        return 0
    end = end or timezone.now()
    start = min(start or thread.created_at, end - timedelta(minutes=1))
    max_depth = min(max_depth, PATH_MAX_SEGMENTS - 1)
    planned = _plan(
        count=count, max_depth=max_depth, rng=rng, bank=bank, users=users, start=start, end=end
    )
    with transaction.atomic():
        _write(thread, planned)
    return count


def _write(thread: Thread, planned: list[_Planned]) -> None:
    # Visible descendants per comment, as the actions count them (deleted ones are not).
    reply_count = [0] * len(planned)
    for item in planned:
        if item.deleted:
            continue
        ancestor = item.parent
        while ancestor is not None:
            reply_count[ancestor] += 1
            ancestor = planned[ancestor].parent
    rendered: dict[str, str] = {}  # bank entries repeat: render each text once
    by_depth: dict[int, list[_Planned]] = {}
    for item in planned:
        by_depth.setdefault(item.depth, []).append(item)
    for depth in sorted(by_depth):
        rows = []
        for item in by_depth[depth]:
            parent = planned[item.parent].comment if item.parent is not None else None
            up = sum(1 for _, value in item.votes if value == 1)
            down = len(item.votes) - up
            if not item.deleted and item.body not in rendered:
                rendered[item.body] = render_markdown(item.body)
            html = "" if item.deleted else rendered[item.body]
            comment = Comment(
                thread=thread,
                parent=parent,
                root_id=(parent.root_id or parent.pk) if parent else None,
                author=item.author,
                guest_name=item.guest_name,
                guest_email=_guest_email(item.guest_name) if item.guest_name else "",
                guest_reader_id=reader_hash(f"demo-{item.guest_name}") if item.guest_name else "",
                body_source="" if item.deleted else item.body,
                body_html=html,
                status=Comment.Status.DELETED if item.deleted else Comment.Status.APPROVED,
                created_at=item.created_at,
                depth=depth,
                reply_count=reply_count[item.index],
                upvotes=up,
                downvotes=down,
                score=up - down,
            )
            item.comment = comment
            rows.append(comment)
        Comment.objects.bulk_create(rows, batch_size=500)
    for item in planned:  # parents come first: their paths are ready
        assert item.comment is not None
        parent = planned[item.parent].comment if item.parent is not None else None
        segment = path_segment(item.comment.pk)
        item.comment.path = (parent.path if parent else "") + segment
        assert len(item.comment.path) <= PATH_SEGMENT * PATH_MAX_SEGMENTS
    set_paths([(item.comment.pk, item.comment.path) for item in planned if item.comment])
    CommentVote.objects.bulk_create(
        [
            CommentVote(
                comment=item.comment, voter_key=key, value=value, created_at=item.created_at
            )
            for item in planned
            for key, value in item.votes
        ],
        batch_size=1000,
    )
    visible = sum(1 for item in planned if not item.deleted)
    # Posting touches last_comment_at even for comments deleted later.
    latest = max((item.created_at for item in planned), default=None)
    changes: dict[str, Any] = {"comment_count": F("comment_count") + visible}
    if latest is not None:
        changes["last_comment_at"] = (
            Greatest(F("last_comment_at"), latest) if thread.last_comment_at else latest
        )
    Thread.objects.filter(pk=thread.pk).update(**changes)
    thread.refresh_from_db(fields=["comment_count", "last_comment_at"])
