"""The notifications reads that run after every comment posted, compiled once.

Whether a new comment may concern anyone is asked for every comment; most comments on
most sites concern nobody, and then these two look-ups are all that notifying costs, so
building them with the ORM would be most of it (docs/decisions/compiled-reads.md).
"""

from __future__ import annotations

from django.db import router

from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    Placeholders,
    compile_query,
)
from broadsheet.discussion.models import Comment
from broadsheet.notifications.models import Subscription

_compiled = CompiledQueries()


def _followed_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = (
        Subscription.objects.using(alias)
        .filter(thread_id=p.number("thread_id"), status=Subscription.Status.ACTIVE)
        .values_list("pk")
    )
    return compile_query(rows[:1], p)


def thread_is_followed(thread_id: int) -> bool:
    """The discussion has at least one active subscription."""
    query = _compiled.get(router.db_for_read(Subscription), "followed", _followed_query)
    return next(query.rows(thread_id=thread_id), None) is not None


def _body_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = Comment.objects.using(alias).filter(pk=p.number("comment_id")).values_list("body_html")
    return compile_query(rows[:1], p)


def comment_body_html(comment_id: int) -> str | None:
    query = _compiled.get(router.db_for_read(Comment), "body", _body_query)
    for row in query.rows(comment_id=comment_id):
        return str(row.body_html)
    return None
