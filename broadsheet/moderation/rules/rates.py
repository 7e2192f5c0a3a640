"""Per-account rate limit (the discussion limits per IP), duplicates and floods.

Like the discussion's own limits, these apply to comments from a client: trusted
callers without one (the demo loader, importers, tests' factories) pass no ip_hash.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, RateLimited
from broadsheet.core.ratelimit import hit
from broadsheet.moderation import conf, reasons
from broadsheet.moderation.hot_queries import recent_count, texts_of_length
from broadsheet.moderation.rules.base import Decision, Submission, Verdict, hold


def account_rate(submission: Submission) -> Decision | None:
    if not submission.actor.is_authenticated or not submission.actor.ip_hash:
        return None
    limit, window = conf.account_rate_limit()
    if hit("moderation-account-post", str(submission.actor.user_id), limit=limit, window=window):
        return None
    return Decision(
        Verdict.REJECT,
        reasons.ACCOUNT_RATE(),
        refuse=RateLimited(
            _("You are posting very fast. Please wait a minute and try again; your text is kept.")
        ),
    )


def _user_id(submission: Submission) -> int | None:
    return submission.actor.user_id if submission.actor.is_authenticated else None


def duplicate(submission: Submission) -> Decision | None:
    if not submission.actor.ip_hash:
        return None
    since = submission.now - timedelta(seconds=conf.duplicate_window())
    # Recent texts of the same length from the same source, compared here.
    candidates = texts_of_length(
        user_id=_user_id(submission),
        ip_hash=submission.actor.ip_hash,
        text=submission.body,
        since=since,
    )
    if submission.body not in candidates:
        return None
    return Decision(
        Verdict.REJECT,
        reasons.DUPLICATE(),
        refuse=ActionError(_("You already posted this comment."), field="body"),
    )


def flood(submission: Submission) -> Decision | None:
    if not submission.actor.ip_hash:
        return None
    limit, window = conf.flood_limit()
    since = submission.now - timedelta(seconds=window)
    recent = recent_count(
        user_id=_user_id(submission), ip_hash=submission.actor.ip_hash, since=since, limit=limit
    )
    return hold(reasons.FLOOD(limit=limit, window=window)) if recent >= limit else None
