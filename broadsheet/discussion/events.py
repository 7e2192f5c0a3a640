"""What happened in a discussion, for whoever listens (live updates, notifications).

Actions publish one event per user-visible change with ``transaction.on_commit``, so
listeners only ever hear about committed data. ``publish`` is an in-process hook: it
calls the registered listeners in order and does nothing else yet; the realtime app
will subscribe here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscussionEvent:
    """Base class: every event names its thread, by id and by the host's key (a listener
    that purges the host's cached page needs only the key)."""

    thread_id: int
    thread_key: str


@dataclass(frozen=True)
class CommentPosted(DiscussionEvent):
    """A comment became visible: top-level when parent_id is None, else a reply."""

    comment_id: int
    parent_id: int | None
    root_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CommentEdited(DiscussionEvent):
    """A comment's author changed its text."""

    comment_id: int
    edited_at: datetime


@dataclass(frozen=True)
class CommentDeleted(DiscussionEvent):
    """A comment was deleted; with replies it stays as a "[deleted]" placeholder."""

    comment_id: int
    by_moderator: bool


@dataclass(frozen=True)
class VoteChanged(DiscussionEvent):
    """A comment's votes changed; the new totals are included."""

    comment_id: int
    upvotes: int
    downvotes: int
    score: int


@dataclass(frozen=True)
class ThreadClosed(DiscussionEvent):
    """A moderator closed the discussion to new comments."""


@dataclass(frozen=True)
class ThreadReopened(DiscussionEvent):
    """A moderator opened a closed discussion again."""


Listener = Callable[[DiscussionEvent], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(event: DiscussionEvent) -> None:
    """Deliver `event` to every listener; one failing listener does not stop the others."""
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:
            logger.exception("Discussion listener %r failed on %r", listener, event)


@dataclass(frozen=True)
class CommentsImported(DiscussionEvent):
    """Comments were brought into the thread in bulk (an import or a restore); one event
    for the lot, so caches refresh and nobody is notified of old replies."""

    count: int
