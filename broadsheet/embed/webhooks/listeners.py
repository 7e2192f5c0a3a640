"""Discussion events → webhook event types, in this one place.

Mapped by the event class's name, so events that other parts of Broadsheet add later
(CommentApproved, CommentHidden, CommentFeatured, CommentReported) are delivered as soon
as they are published, without an import that would fail before they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broadsheet.discussion.events import DiscussionEvent
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.people import author_joins
from broadsheet.embed.selectors import site_id_of_thread_key
from broadsheet.embed.webhooks.dispatch import comment_data, queue_event, thread_data


def _posted(event: Any) -> str:
    return "comment.created" if event.parent_id is None else "comment.replied"


def _hidden(event: Any) -> str | None:
    # Taken off the page as rejected or spam; held again for review ("pending", e.g.
    # after reports) is not a rejection, and comment.reported already told of it.
    return "comment.rejected" if getattr(event, "status", "") in ("rejected", "spam") else None


EVENT_TYPES: dict[str, Callable[[Any], str | None] | str] = {
    "CommentPosted": _posted,
    "CommentApproved": "comment.approved",
    "CommentHidden": _hidden,
    "CommentRejected": "comment.rejected",
    "CommentReported": "comment.reported",
    "CommentFeatured": "comment.featured",
    "ThreadClosed": "thread.closed",
}


def webhook_type(event: DiscussionEvent) -> str | None:
    mapped = EVENT_TYPES.get(type(event).__name__)
    return mapped(event) if callable(mapped) else mapped


def on_discussion_event(event: DiscussionEvent) -> None:
    """Queue the webhooks of an embedded thread's event (no query for other threads)."""
    site_id = site_id_of_thread_key(event.thread_key)
    event_type = webhook_type(event)
    if site_id is None or event_type is None:
        return
    thread = Thread.objects.filter(pk=event.thread_id).first()
    if thread is None:
        return
    data: dict[str, Any] = {"thread": thread_data(thread)}
    comment_id = getattr(event, "comment_id", None)
    if comment_id is not None:
        comment = Comment.objects.select_related(*author_joins()).filter(pk=comment_id).first()
        if comment is None:
            return
        data["comment"] = comment_data(comment)
    queue_event(site_id, event_type, data)
