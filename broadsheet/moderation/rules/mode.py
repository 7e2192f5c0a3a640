"""Pre-moderation: the thread host's mode (an embedding site's own), else the
publication's BROADSHEET_MODERATION_MODE."""

from __future__ import annotations

from broadsheet.discussion.models import Comment
from broadsheet.discussion.policy import policy_for
from broadsheet.moderation import conf, reasons
from broadsheet.moderation.rules.base import Decision, Submission, hold


def site_mode(submission: Submission) -> Decision | None:
    mode = policy_for(submission.thread).moderation_mode or conf.mode()
    if mode == "all":
        return hold(reasons.PRE_MODERATION())
    if mode == "new_commenters" and not submission.trusted:
        approved = submission.history.get(Comment.Status.APPROVED, 0)
        if approved < conf.new_commenter_comments():
            return hold(reasons.NEW_COMMENTER())
    return None
