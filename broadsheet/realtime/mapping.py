"""From discussion events to wire events and their audiences: one function per event class.

The discussion action decides *what* happened; the comment's state as the action commits
it decides who may hear it: a visible comment's events go to the thread's public channel,
a held one's (pending, spam) only to its author's channel and the moderators' channel.
Each function reads at most one row (the comment, with its thread's count: a compiled
read, hot_queries.py), inside the action's transaction (a database back-end's outbox) or
after its commit (memory, Redis).

Event classes that this version of the discussion engine does not define yet (the names
in ``_OPTIONAL``) are mapped when they appear, with no change here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from broadsheet.core.urls import id_url_format
from broadsheet.discussion import events
from broadsheet.discussion.models import Comment
from broadsheet.realtime import channels
from broadsheet.realtime.hot_queries import comment_state
from broadsheet.realtime.wire import WireEvent


@dataclass(frozen=True)
class Outgoing:
    """A wire event and the channels it goes to."""

    channels: tuple[str, ...]
    event: WireEvent


Mapper = Callable[[Any], list[Outgoing]]
MAPPERS: dict[type, Mapper] = {}


def maps(event_class: type | None) -> Callable[[Mapper], Mapper]:
    def register(function: Mapper) -> Mapper:
        if event_class is not None:
            MAPPERS[event_class] = function
        return function

    return register


def wire_events_for(event: object) -> list[Outgoing]:
    mapper = MAPPERS.get(type(event))
    return mapper(event) if mapper else []


@dataclass(frozen=True)
class _CommentState:
    status: str
    author_id: int | None
    guest_reader_id: str
    parent_id: int | None
    root_id: int | None
    is_featured: bool
    thread_count: int

    @property
    def visible(self) -> bool:
        return self.status == Comment.Status.APPROVED


def _state(comment_id: int) -> _CommentState | None:
    row = comment_state(comment_id)
    return _CommentState(*row) if row else None


def audience(thread_id: int, state: _CommentState) -> tuple[str, ...]:
    """Public for a visible comment; otherwise its author and the moderators only."""
    if state.visible:
        return (channels.public(thread_id),)
    names = [channels.moderators(thread_id)]
    mine = channels.own(thread_id, user_id=state.author_id, reader_hash=state.guest_reader_id)
    if mine:
        names.append(mine)
    return tuple(names)


def _fragment(comment_id: int) -> str:
    """The comment's fragment URL from one reverse() per script prefix and URL
    configuration (core.urls.id_url_format): every comment event carries one, most of
    them inside the action's write transaction."""
    return id_url_format("discussion:fragment", "comment_id").format(comment_id)


def _one(thread_id: int, to: tuple[str, ...], kind: str, data: dict[str, Any]) -> list[Outgoing]:
    return [Outgoing(channels=to, event=WireEvent(type=kind, thread_id=thread_id, data=data))]


@maps(events.CommentPosted)
def comment_posted(event: events.CommentPosted) -> list[Outgoing]:
    state = _state(event.comment_id)
    if state is None:
        return []
    return _one(
        event.thread_id,
        audience(event.thread_id, state),
        "comment.posted",
        {
            "comment_id": event.comment_id,
            "parent_id": event.parent_id,
            "root_id": event.root_id,
            "created_at": event.created_at.isoformat(),
            "fragment": _fragment(event.comment_id),
            "count": state.thread_count,
            "held": not state.visible,
        },
    )


@maps(events.CommentEdited)
def comment_edited(event: events.CommentEdited) -> list[Outgoing]:
    state = _state(event.comment_id)
    if state is None:
        return []
    data = {
        "comment_id": event.comment_id,
        "edited_at": event.edited_at.isoformat(),
        "fragment": _fragment(event.comment_id),
    }
    return _one(event.thread_id, audience(event.thread_id, state), "comment.edited", data)


@maps(events.CommentDeleted)
def comment_deleted(event: events.CommentDeleted) -> list[Outgoing]:
    # Gone from the page for everyone, whatever its state now: the event carries no text.
    state = _state(event.comment_id)
    count = state.thread_count if state else 0
    data = {"comment_id": event.comment_id, "by_moderator": event.by_moderator, "count": count}
    return _one(event.thread_id, (channels.public(event.thread_id),), "comment.deleted", data)


@maps(events.VoteChanged)
def vote_changed(event: events.VoteChanged) -> list[Outgoing]:
    data = {
        "comment_id": event.comment_id,
        "upvotes": event.upvotes,
        "downvotes": event.downvotes,
        "score": event.score,
    }
    return _one(event.thread_id, (channels.public(event.thread_id),), "comment.score", data)


@maps(events.ThreadClosed)
def thread_closed(event: events.ThreadClosed) -> list[Outgoing]:
    return _one(event.thread_id, (channels.public(event.thread_id),), "thread.closed", {})


@maps(events.ThreadReopened)
def thread_reopened(event: events.ThreadReopened) -> list[Outgoing]:
    return _one(event.thread_id, (channels.public(event.thread_id),), "thread.reopened", {})


# Moderation events the discussion engine is gaining; mapped as soon as they exist.
@maps(getattr(events, "CommentHidden", None))
def comment_hidden(event: Any) -> list[Outgoing]:
    state = _state(event.comment_id)
    data = {"comment_id": event.comment_id, "count": state.thread_count if state else 0}
    return _one(event.thread_id, (channels.public(event.thread_id),), "comment.hidden", data)


@maps(getattr(events, "CommentApproved", None))
def comment_approved(event: Any) -> list[Outgoing]:
    state = _state(event.comment_id)
    if state is None:
        return []
    data = {
        "comment_id": event.comment_id,
        "parent_id": state.parent_id,
        "root_id": state.root_id,
        "fragment": _fragment(event.comment_id),
        "count": state.thread_count,
    }
    return _one(event.thread_id, audience(event.thread_id, state), "comment.approved", data)


@maps(getattr(events, "CommentFeatured", None))
@maps(getattr(events, "CommentUnfeatured", None))
def comment_featured(event: Any) -> list[Outgoing]:
    """Featured or no longer: the comment's committed state says which."""
    state = _state(event.comment_id)
    if state is None:
        return []
    data = {
        "comment_id": event.comment_id,
        "featured": state.is_featured,
        "fragment": _fragment(event.comment_id),
    }
    return _one(event.thread_id, audience(event.thread_id, state), "comment.featured", data)


def article_reactions(*, thread_id: int, up: int, down: int) -> list[Outgoing]:
    """Reactions belong to the article, not to a comment: articles publish them directly
    (broadsheet.realtime.publishing.publish_reactions)."""
    return _one(
        thread_id, (channels.public(thread_id),), "article.reactions", {"up": up, "down": down}
    )


@maps(events.CommentsImported)
def comments_imported(event: Any) -> list[Outgoing]:
    """A bulk import (importers): no live event. Readers of a discussion being imported
    into see the comments on their next page load; thousands of bubbles would help nobody."""
    return []


@maps(events.CommentReported)
def comment_reported(event: Any) -> list[Outgoing]:
    """A reader reported a comment: no live event. Reports are for moderators, who work
    them in the queue; nothing on the page changes for anyone (webhooks carry them)."""
    return []


@maps(events.CommenterNoticeRequested)
def commenter_notice_requested(event: Any) -> list[Outgoing]:
    """A moderator asked that a commenter be told of a decision by e-mail: nothing for the
    page (CommentHidden already took the comment off it)."""
    return []
