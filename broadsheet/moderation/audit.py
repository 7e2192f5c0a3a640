"""Writing audit rows. Called inside the transaction of the action being recorded, so a
decision and its audit row commit (or roll back) together."""

from __future__ import annotations

from typing import Any

from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation.models import AuditEntry


def record(
    *,
    action: AuditEntry.Action,
    actor: Any = None,
    comment: Comment | None = None,
    thread: Thread | None = None,
    thread_id: int | None = None,
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
        thread_id=thread.pk
        if thread is not None
        else (thread_id or (comment.thread_id if comment else None)),
        target=target[:120],
        reason=reason[:300],
        status_before=before,
        status_after=after,
    )
