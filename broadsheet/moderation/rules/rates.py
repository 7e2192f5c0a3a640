"""Per-account rate limit (the discussion limits per IP), duplicates and floods.

Like the discussion's own limits, these apply to comments from a client: trusted
callers without one (the demo loader, importers, tests' factories) pass no ip_hash.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, Value
from django.db.models.functions import Length

from broadsheet.core.errors import ActionError, RateLimited
from broadsheet.core.ratelimit import hit
from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    compile_query,
    sentinel_datetime,
    sentinel_int,
    sentinel_str,
)
from broadsheet.discussion.models import Comment
from broadsheet.moderation import conf
from broadsheet.moderation.rules.base import Decision, Submission, Verdict, hold


def account_rate(submission: Submission) -> Decision | None:
    if not submission.actor.is_authenticated or not submission.actor.ip_hash:
        return None
    limit, window = conf.account_rate_limit()
    if hit("moderation-account-post", str(submission.actor.user_id), limit=limit, window=window):
        return None
    return Decision(
        Verdict.REJECT,
        "account rate limit",
        refuse=RateLimited(
            "You are posting very fast. Please wait a minute and try again; your text is kept."
        ),
    )


def _same_source(user_id: int | None, ip_hash: str) -> Q:
    source = Q(pk__in=[])
    if user_id is not None:
        source |= Q(author_id=user_id)
    if ip_hash:
        source |= Q(ip_hash=ip_hash)
    return source


# Both look-ups run for every comment from a client, inside the posting transaction:
# compiled once per kind of source (account or guest), as building them with the ORM
# cost several times what SQLite takes to answer them.
_compiled = CompiledQueries(max_entries=8)


def _source_values(submission: Submission) -> list[Any]:
    actor = submission.actor
    return [actor.user_id if actor.is_authenticated else 0, actor.ip_hash]


def _source_sentinels(account: bool) -> tuple[int | None, dict[Any, int]]:
    sentinels: dict[Any, int] = {sentinel_str(1): 1}
    if account:
        sentinels[sentinel_int(0)] = 0
    return (sentinel_int(0) if account else None), sentinels


def _same_texts_query(account: bool) -> CompiledQuery:
    """Texts from the source since slot 3 with the length of slot 2's text."""
    user_id, sentinels = _source_sentinels(account)
    rows = (
        Comment.objects.alias(body_length=Length("body_source"))
        .filter(
            _same_source(user_id, sentinel_str(1)),
            body_length=Length(Value(sentinel_str(2))),
            created_at__gte=sentinel_datetime(3),
        )
        .exclude(status=Comment.Status.DELETED)
        .values_list("body_source")
    )
    return compile_query(rows, {**sentinels, sentinel_str(2): 2, sentinel_datetime(3): 3})


def _recent_query(account: bool, limit: int) -> CompiledQuery:
    """Up to `limit` comments the source posted since slot 2: a flood is held at the
    limit, so the look-up never reads further, however many an attacker has sent (each
    read holds the write lock)."""
    user_id, sentinels = _source_sentinels(account)
    rows = Comment.objects.filter(
        _same_source(user_id, sentinel_str(1)), created_at__gte=sentinel_datetime(2)
    ).values_list("pk")
    return compile_query(rows[:limit], {**sentinels, sentinel_datetime(2): 2})


def duplicate(submission: Submission) -> Decision | None:
    if not submission.actor.ip_hash:
        return None
    since = submission.now - timedelta(seconds=conf.duplicate_window())
    # Recent texts of the same length from the same source, compared here: the index
    # discussion_text_by_ip finds them without reading a flood of other texts. (Comparing
    # the text in SQL too would let SQLite replace length(body_source) by the length of
    # the given text, and then it no longer recognises the indexed expression.)
    account = submission.actor.is_authenticated
    query = _compiled.get(("same-texts", account), lambda: _same_texts_query(account))
    candidates = query.rows([*_source_values(submission), submission.body, since])
    if not any(text == submission.body for (text,) in candidates):
        return None
    return Decision(
        Verdict.REJECT,
        "duplicate",
        refuse=ActionError("You already posted this comment.", field="body"),
    )


def flood(submission: Submission) -> Decision | None:
    if not submission.actor.ip_hash:
        return None
    limit, window = conf.flood_limit()
    since = submission.now - timedelta(seconds=window)
    account = submission.actor.is_authenticated
    query = _compiled.get(("recent", account, limit), lambda: _recent_query(account, limit))
    recent = sum(1 for _ in query.rows([*_source_values(submission), since]))
    return hold(f"flood: {limit} or more comments in {window} s") if recent >= limit else None
