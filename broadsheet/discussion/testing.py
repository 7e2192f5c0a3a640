"""Factories for tests of the discussion engine (and of apps that host discussions)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count
from django.http import HttpResponse

from broadsheet.core.clients import READER_COOKIE, READER_COOKIE_SALT
from broadsheet.discussion.actions import NewComment, do_post_comment, do_register_thread
from broadsheet.discussion.demo import seed_thread
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
from broadsheet.discussion.sorting import ORDERINGS, Rankable, Sort

_counter = itertools.count(1)

BANK: dict[str, Any] = {
    "commenters": [
        {"name": "Rosa Lindqvist", "kind": "account"},
        {"name": "Gabriel Okafor", "kind": "guest"},
        {"name": "ليلى منصور", "kind": "guest"},
    ],
    "comments": [
        {"lang": "en", "body": "The council should publish the **full** flood model."},
        {
            "lang": "en",
            "body": "I live by the river. *Nobody* asked us.\n\n> The plan\n\n- one\n- two",
        },
        {"lang": "ar", "body": "هذا مقال مهم جداً عن النهر والمدينة."},
        {"lang": "en", "body": "A long one. " * 90},
    ],
    "replies": [
        {"lang": "en", "body": "Agreed, see [the report](https://example.org/report)."},
        {"lang": "en", "body": "I disagree: `costs` matter too."},
        {"lang": "ar", "body": "أوافق تماماً."},
    ],
}


def make_user(
    username: str | None = None, *, name: str = "", staff: bool = False, moderator: bool = False
) -> Any:
    username = username or f"reader{next(_counter)}"
    first, _, last = name.partition(" ")
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="a long pass phrase",  # noqa: S106 - test accounts
        first_name=first,
        last_name=last,
    )
    if staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if moderator:
        user.user_permissions.add(
            Permission.objects.get(
                codename="moderate_comment", content_type__app_label="discussion"
            )
        )
    return get_user_model().objects.get(pk=user.pk)


def member(user: Any, *, ip_hash: str = "") -> Actor:
    return Actor(user=user, reader_id=None, ip_hash=ip_hash)


def guest(reader_id: str | None = None, *, ip_hash: str = "") -> Actor:
    return Actor(user=None, reader_id=reader_id or f"reader-{next(_counter)}", ip_hash=ip_hash)


def signed_reader_cookie(reader_id: str) -> str:
    """The value of the signed reader cookie a browser would carry for `reader_id`."""
    response = HttpResponse()
    response.set_signed_cookie(READER_COOKIE, reader_id, salt=READER_COOKIE_SALT)
    return response.cookies[READER_COOKIE].value


def make_thread(key: str | None = None, *, title: str = "River plan", url: str = "") -> Thread:
    n = next(_counter)
    return do_register_thread(key=key or f"test-{n}", title=title, url=url or f"/host-page-{n}/")


def post(
    thread: Thread,
    actor: Actor,
    body: str = "A considered comment.",
    *,
    parent: Comment | None = None,
    name: str = "Gabriel",
    email: str = "gabriel@example.org",
    website: str = "",
) -> Comment:
    """do_post_comment with guest details filled in for guests."""
    return do_post_comment(
        actor=actor,
        new=NewComment(
            thread=thread,
            body=body,
            parent=parent,
            guest_name=name if not actor.is_authenticated else "",
            guest_email=email if not actor.is_authenticated else "",
            guest_website=website if not actor.is_authenticated else "",
        ),
    )


def big_thread(
    count: int, *, seed: int = 7, max_depth: int = 5, users: list[Any] | None = None
) -> Thread:
    """A thread of `count` comments written in bulk (the demo seeder)."""
    thread = make_thread(title=f"{count} comments")
    seed_thread(
        thread,
        count=count,
        max_depth=max_depth,
        rng=random.Random(seed),
        bank=BANK,
        users=users or [],
    )
    return thread


def thread_inconsistencies(thread: Thread) -> list[str]:
    """Every stored counter, path and depth of `thread` checked against a recount from the
    rows themselves; [] when all agree. For tests and the bench's seeding."""
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


def sort_key(sort: Sort) -> Callable[[Rankable], tuple[Any, ...]]:
    """A key for ``sorted()`` that orders objects exactly as ``order_by(sort)`` does."""
    fields = ORDERINGS[sort]

    def key(item: Rankable) -> tuple[Any, ...]:
        parts: list[Any] = []
        for field, descending in fields:
            value = getattr(item, field)
            if isinstance(value, datetime):
                value = value.timestamp()
            parts.append(-value if descending else value)
        return tuple(parts)

    return key
