"""Discussion events the notifications app listens to (subscribed in apps.py)."""

from __future__ import annotations

from broadsheet.discussion.events import CommentApproved, CommentPosted, DiscussionEvent
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
