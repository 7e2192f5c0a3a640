"""What happened in a discussion, for whoever listens (live updates, notifications, the
page cache).

Actions hand one event per user-visible change to ``publish_on_commit`` inside their
transaction. Listeners (``subscribe``) hear it after commit, so they only ever hear about
committed data; ``publish`` is that in-process hook, calling them in order. Recorders
(``subscribe_in_transaction``) hear it at once, inside the action's transaction: an
outbox that writes the event's own rows as part of the same commit (live updates on a
database back-end), so the change and its event are stored together or not at all, and
no second write transaction follows the action's. The realtime app subscribes to both.

Every event is a small frozen dataclass naming its thread by id and key; the list
and the action that publishes each is in docs/discussion.md ("Events").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscussionEvent:
    """Base class: every event names its thread, by id and by the host's key (a listener
    that purges the host's cached page needs only the key)."""

    thread_id: int
    thread_key: str


@dataclass(frozen=True)
class CommentPosted(DiscussionEvent):
    """A new comment was published at once (do_post_comment): top-level when parent_id
    is None, else a reply. A comment the pipeline held publishes nothing until a
    moderator approves it (CommentApproved)."""

    comment_id: int
    parent_id: int | None
    root_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CommentApproved(DiscussionEvent):
    """A comment that was not shown became visible because a moderator approved it (a
    pre-moderated or held comment, or one rejected or marked spam before): for readers it
    appears as a new comment would (do_set_comment_status)."""

    comment_id: int
    parent_id: int | None
    root_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CommentHidden(DiscussionEvent):
    """A visible comment left the page without being deleted: held for review (by a
    moderator or after reports), rejected, or marked spam; ``status`` is the new one
    ("pending", "rejected" or "spam"). Its author may still see it on their own page
    (do_set_comment_status)."""

    comment_id: int
    status: str


@dataclass(frozen=True)
class CommentEdited(DiscussionEvent):
    """A comment's author changed its text (do_edit_comment)."""

    comment_id: int
    edited_at: datetime


@dataclass(frozen=True)
class CommentDeleted(DiscussionEvent):
    """A comment was deleted by its author or a moderator (do_delete_comment); with
    replies it stays as a "[deleted]" placeholder."""

    comment_id: int
    by_moderator: bool


@dataclass(frozen=True)
class VoteChanged(DiscussionEvent):
    """A comment's votes changed (do_cast_vote); the new totals are included."""

    comment_id: int
    upvotes: int
    downvotes: int
    score: int


@dataclass(frozen=True)
class CommentFeatured(DiscussionEvent):
    """An editor made a comment an editor's pick (do_feature_comment): it shows under
    "Featured" with a badge."""

    comment_id: int


@dataclass(frozen=True)
class CommentUnfeatured(DiscussionEvent):
    """An editor's pick is one no longer (do_unfeature_comment)."""

    comment_id: int


@dataclass(frozen=True)
class CommentReported(DiscussionEvent):
    """A reader reported a comment; report_count is its open reports now (the one that
    reaches BROADSHEET_MODERATION_REPORTS_TO_HOLD also takes it off the page)."""

    comment_id: int
    report_count: int


@dataclass(frozen=True)
class CommenterNoticeRequested(DiscussionEvent):
    """A moderator asked that the author of a comment be told of a decision about it
    (moderation's queue or the article page, "Tell the commenter"): ``kind`` is
    "rejected" (the comment), "banned" or "suspended" (its author, the comment rejected
    too), with the moderator's ``reason`` and, for a suspension, its end ``until``. The
    notifications app e-mails the author: the account's address, or the one a guest gave."""

    comment_id: int
    kind: str
    reason: str
    until: datetime | None = None


@dataclass(frozen=True)
class ThreadClosed(DiscussionEvent):
    """The discussion was closed to new comments (do_close_thread): by a moderator, or by
    auto-close (the system actor) with a reason such as "auto-close after 30 days"."""

    reason: str = ""


@dataclass(frozen=True)
class ThreadReopened(DiscussionEvent):
    """A moderator opened a closed discussion again (do_reopen_thread)."""

    reason: str = ""


Listener = Callable[[DiscussionEvent], None]
_listeners: list[Listener] = []
_recorders: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def subscribe_in_transaction(recorder: Listener) -> None:
    """Call `recorder` with every event inside the publishing action's transaction. A
    recorder is part of the action: what it writes commits or rolls back with the change,
    and an error it raises refuses the change (it must not talk to anything outside the
    database; what follows the commit belongs to an after-commit listener)."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def unsubscribe_in_transaction(recorder: Listener) -> None:
    if recorder in _recorders:
        _recorders.remove(recorder)


def publish_on_commit(event: DiscussionEvent) -> None:
    """What every action calls with its event, inside its transaction: the recorders now,
    every listener after commit (at once outside a transaction)."""
    for recorder in list(_recorders):
        recorder(event)
    transaction.on_commit(partial(publish, event))


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
