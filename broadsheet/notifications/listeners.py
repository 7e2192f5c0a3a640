"""Discussion events the notifications app listens to (subscribed in apps.py)."""

from __future__ import annotations

from broadsheet.discussion.events import CommentPosted, DiscussionEvent


def on_comment_posted(event: DiscussionEvent) -> None:
    """Events are published after commit; the fan-out itself runs as a task."""
    if isinstance(event, CommentPosted):
        from broadsheet.notifications.tasks import queue_comment_notices_task

        queue_comment_notices_task.enqueue(comment_id=event.comment_id)
