"""Writing audit rows. Called inside the transaction of the action being recorded, so a
decision and its audit row commit (or roll back) together."""

from __future__ import annotations

from typing import Any

from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation.models import AuditEntry

_PIPELINE_ACTIONS = {
    Comment.Status.PENDING: AuditEntry.Action.HOLD,
    Comment.Status.REJECTED: AuditEntry.Action.REJECT,
    Comment.Status.SPAM: AuditEntry.Action.SPAM,
    Comment.Status.APPROVED: AuditEntry.Action.APPROVE,
}


def record(
    *,
    action: AuditEntry.Action,
    actor: Any = None,
    comment: Comment | None = None,
    thread: Thread | None = None,
    target: str = "",
    reason: str = "",
    before: str = "",
    after: str = "",
) -> AuditEntry:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        action=action,
        actor=user,
        comment=comment,
        thread_id=thread.pk if thread is not None else (comment.thread_id if comment else None),
        target=target[:120],
        reason=reason[:300],
        status_before=before,
        status_after=after,
    )


def record_pipeline_decision(*, comment: Comment, reason: str) -> AuditEntry:
    """The pipeline held or refused a new comment (no human actor)."""
    return record(
        action=_PIPELINE_ACTIONS[Comment.Status(comment.status)],
        comment=comment,
        reason=reason,
        after=comment.status,
    )
