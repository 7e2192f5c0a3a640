"""Auto-close: a discussion older than BROADSHEET_MODERATION_AUTO_CLOSE_DAYS takes no new
comments, whether or not `close_old_discussions` has run yet."""

from __future__ import annotations

from datetime import timedelta

from broadsheet.core.errors import NotAllowed
from broadsheet.moderation import conf
from broadsheet.moderation.rules.base import Decision, Submission, Verdict


def auto_closed(submission: Submission) -> Decision | None:
    days = conf.auto_close_days()
    if days <= 0 or submission.thread.created_at > submission.now - timedelta(days=days):
        return None
    return Decision(
        Verdict.REJECT, "discussion auto-closed", refuse=NotAllowed("Comments are closed.")
    )
