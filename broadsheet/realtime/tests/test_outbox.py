"""The outbox of the "database" back-end on SQLite: a discussion event's rows are written
inside the action's own transaction, so they commit or roll back with the change, and
nothing is written after the commit. On PostgreSQL the history is written after the
commit (backends/database.py says why)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from broadsheet.discussion import actions
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post
from broadsheet.realtime import channels
from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.models import LiveChannel, LiveEvent
from broadsheet.realtime.wire import schema_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the outbox is SQLite's (one writer); PostgreSQL: the test below")
    settings.BROADSHEET_LIVE_BACKEND = "database"
    assert get_backend().records_in_transaction


def kept(channel: str) -> list[dict[str, Any]]:
    return [event.payload() for event in get_backend().history(channel)[1]]


def after_commit_writes(
    action: Callable[[], object], django_capture_on_commit_callbacks: Any
) -> list[str]:
    """Run `action`, then its after-commit callbacks: the statements those sent to the
    live tables (none, when the outbox wrote everything with the change)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        action()
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    tables = (LiveEvent._meta.db_table, LiveChannel._meta.db_table)
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in tables)]


def test_a_posted_comment_is_recorded_with_its_commit_and_nothing_after(
    outbox: None, thread: Thread, reader_rosa: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    comment: list[Comment] = []
    writes = after_commit_writes(
        lambda: comment.append(post(thread, reader_rosa, "The dyke will hold.")),
        django_capture_on_commit_callbacks,
    )
    assert writes == []
    [event] = kept(channels.public(thread.pk))
    assert schema_errors(event) == []
    assert event["type"] == "comment.posted" and event["seq"] == 1
    assert event["data"]["comment_id"] == comment[0].pk
    assert event["data"]["count"] == 1 and event["data"]["held"] is False


def test_a_vote_is_recorded_in_the_votes_own_transaction(
    outbox: None,
    thread: Thread,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa, "Worth a vote.")
    writes = after_commit_writes(
        lambda: actions.do_cast_vote(comment=comment, actor=guest_gabriel, value=1),
        django_capture_on_commit_callbacks,
    )
    assert writes == []
    events = kept(channels.public(thread.pk))
    assert [e["type"] for e in events] == ["comment.posted", "comment.score"]
    assert events[1]["data"] == {"comment_id": comment.pk, "upvotes": 1, "downvotes": 0, "score": 1}
    assert [e["seq"] for e in events] == [1, 2]


def test_a_change_rolled_back_leaves_no_event_and_no_number_used(
    outbox: None, thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    comment = post(thread, reader_rosa, "Kept.")
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_cast_vote(comment=comment, actor=guest_gabriel, value=1)
        post(thread, reader_rosa, "Never stored.")
        raise RuntimeError("the request failed after the actions")
    events = kept(channels.public(thread.pk))
    assert [e["type"] for e in events] == ["comment.posted"]
    assert get_backend().history(channels.public(thread.pk))[0] == 1
    # The next event takes the next number: no gap a reader would take for lost history.
    actions.do_cast_vote(comment=comment, actor=guest_gabriel, value=1)
    assert [e["seq"] for e in kept(channels.public(thread.pk))] == [1, 2]


def test_a_held_comments_events_reach_only_its_author_and_the_moderators(
    outbox: None, thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_MODE = "all"
    comment = post(thread, reader_rosa, "Held for review.")
    assert comment.status == Comment.Status.PENDING
    actions.do_edit_comment(comment=comment, actor=reader_rosa, body="Held, and edited.")
    assert kept(channels.public(thread.pk)) == []
    rosa = channels.own(thread.pk, user_id=reader_rosa.user_id)
    assert rosa is not None
    for channel in (channels.moderators(thread.pk), rosa):
        assert [e["type"] for e in kept(channel)] == ["comment.edited"]


def test_the_history_stays_bounded_per_channel(
    outbox: None, thread: Thread, reader_rosa: Actor, guest_gabriel: Actor, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_HISTORY = 2
    comment = post(thread, reader_rosa, "Up, down, up.")
    for value in (1, -1, 1):
        actions.do_cast_vote(comment=comment, actor=guest_gabriel, value=value)
    last, events = get_backend().history(channels.public(thread.pk))
    assert last == 4 and [e.seq for e in events] == [3, 4]
    assert get_backend().replay(channels.public(thread.pk), after=3, since=None) == events[1:]
    assert get_backend().replay(channels.public(thread.pk), after=1, since=None) is None


@pytest.mark.parametrize("backend", ["database", "postgres"])
def test_on_postgresql_the_event_is_written_after_the_commit(
    backend: str,
    thread: Thread,
    reader_rosa: Actor,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("run the suite with DATABASE_URL=postgres://…")
    settings.BROADSHEET_LIVE_BACKEND = backend
    assert not get_backend().records_in_transaction
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = post(thread, reader_rosa, "Heard after the commit.")
    assert kept(channels.public(thread.pk)) == []
    for callback in callbacks:
        callback()
    [event] = kept(channels.public(thread.pk))
    assert event["type"] == "comment.posted" and event["data"]["comment_id"] == comment.pk
