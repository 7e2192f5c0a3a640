"""Per-account rate limit (the discussion limits per IP), duplicates and floods.

Like the discussion's own limits, these apply to comments from a client: trusted
callers without one (the demo loader, importers, tests' factories) pass no ip_hash.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, Value
from django.db.models.functions import Length

from broadsheet.core.errors import ActionError, RateLimited
from broadsheet.core.ratelimit import hit
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


def _same_source(submission: Submission) -> Q:
    source = Q(pk__in=[])
    if submission.actor.is_authenticated:
        source |= Q(author_id=submission.actor.user_id)
    if submission.actor.ip_hash:
        source |= Q(ip_hash=submission.actor.ip_hash)
    return source


def duplicate(submission: Submission) -> Decision | None:
    if not submission.actor.ip_hash:
        return None
    since = submission.now - timedelta(seconds=conf.duplicate_window())
    # Recent texts of the same length from the same source, compared here: the index
    # discussion_text_by_ip finds them without reading a flood of other texts. (Comparing
    # the text in SQL too would let SQLite replace length(body_source) by the length of
    # the given text, and then it no longer recognises the indexed expression.)
    candidates = (
        Comment.objects.alias(body_length=Length("body_source"))
        .filter(
            _same_source(submission),
            body_length=Length(Value(submission.body)),
            created_at__gte=since,
        )
        .exclude(status=Comment.Status.DELETED)
        .values_list("body_source", flat=True)
    )
    if submission.body not in candidates:
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
    recent = Comment.objects.filter(_same_source(submission), created_at__gte=since).count()
    return hold(f"flood: {recent} comments in {window} s") if recent >= limit else None
