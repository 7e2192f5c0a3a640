"""Discussion events the notifications app listens to (subscribed in apps.py)."""

from __future__ import annotations

from broadsheet.discussion.events import (
    CommentApproved,
    CommenterNoticeRequested,
    CommentPosted,
    DiscussionEvent,
)
from broadsheet.notifications.selectors import comment_may_concern_someone


def on_comment_posted(event: DiscussionEvent) -> None:
    """A comment appeared: published at once (CommentPosted) or approved by a moderator
    after being held (CommentApproved). Events are published after commit; the fan-out
    itself runs as a task, enqueued only when the comment may concern someone (a
    subscription on its discussion, or a mention), as seen once the comment is visible."""
    if isinstance(event, CommentPosted | CommentApproved) and comment_may_concern_someone(
        comment_id=event.comment_id, thread_id=event.thread_id
    ):
        from broadsheet.notifications.tasks import queue_comment_notices_task

        queue_comment_notices_task.enqueue(comment_id=event.comment_id)


def on_commenter_notice_requested(event: DiscussionEvent) -> None:
    """A moderator asked that a commenter be told of a rejection or a sanction: the
    e-mail is sent by a task (published after commit, so the decision is stored)."""
    if isinstance(event, CommenterNoticeRequested):
        from broadsheet.notifications.tasks import send_commenter_notice_task

        until = event.until.isoformat() if event.until is not None else ""
        send_commenter_notice_task.enqueue(
            comment_id=event.comment_id, kind=event.kind, reason=event.reason, until=until
        )
