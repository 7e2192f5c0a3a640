"""Every wire event, produced by the real actions: its schema and its audience."""

from __future__ import annotations

import json
from typing import Any

import pytest

from broadsheet.discussion import actions
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post
from broadsheet.moderation import actions as moderation
from broadsheet.realtime import channels, mapping
from broadsheet.realtime.backends.base import Backend
from broadsheet.realtime.wire import SCHEMAS, WIRE_VERSION, WireEvent, refetch_frame, schema_errors

pytestmark = pytest.mark.django_db


def published(bus: Backend, channel: str) -> list[dict[str, Any]]:
    return [event.payload() for event in bus.history(channel)[1]]


def only(bus: Backend, channel: str) -> dict[str, Any]:
    events = published(bus, channel)
    assert len(events) == 1, events
    assert schema_errors(events[0]) == []
    return events[0]


def test_a_posted_comment_reaches_the_public_channel_with_the_new_count(
    thread: Thread, reader_rosa: Actor, bus: Backend, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(thread, reader_rosa, "The dyke will hold.")
    event = only(bus, channels.public(thread.pk))
    assert event["type"] == "comment.posted"
    assert event["v"] == WIRE_VERSION and event["thread"] == thread.pk
    assert event["data"]["comment_id"] == comment.pk
    assert event["data"]["count"] == 1 and event["data"]["held"] is False
    assert event["data"]["fragment"] == f"/discussion/c/{comment.pk}/fragment/"
    assert event["ch"] == f"t{thread.pk}" and event["seq"] == 1


def test_a_reply_names_its_parent_and_root(
    thread: Thread, reader_rosa: Actor, bus: Backend, django_capture_on_commit_callbacks: Any
) -> None:
    first = post(thread, reader_rosa, "First.")
    with django_capture_on_commit_callbacks(execute=True):
        reply = post(thread, reader_rosa, "Second.", parent=first)
    event = only(bus, channels.public(thread.pk))
    assert event["data"]["comment_id"] == reply.pk
    assert (event["data"]["parent_id"], event["data"]["root_id"]) == (first.pk, first.pk)


def test_an_edit_a_vote_and_a_deletion_each_reach_the_public_channel(
    thread: Thread,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    bus: Backend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa, "Before.")
    # One commit each, as in three requests (the audience is read from the committed row).
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit_comment(comment=comment, actor=reader_rosa, body="After.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_cast_vote(comment=comment, actor=guest_gabriel, value=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_comment(comment=comment, actor=reader_rosa)
    events = published(bus, channels.public(thread.pk))
    assert [e["type"] for e in events] == ["comment.edited", "comment.score", "comment.deleted"]
    assert all(schema_errors(e) == [] for e in events)
    assert events[1]["data"] == {"comment_id": comment.pk, "upvotes": 1, "downvotes": 0, "score": 1}
    assert events[2]["data"] == {"comment_id": comment.pk, "by_moderator": False, "count": 0}
    assert [e["seq"] for e in events] == [1, 2, 3]


def test_closing_and_reopening_a_thread(
    thread: Thread, moderator_max: Actor, bus: Backend, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_close_thread(thread=thread, actor=moderator_max)
        actions.do_reopen_thread(thread=thread, actor=moderator_max)
    events = published(bus, channels.public(thread.pk))
    assert [e["type"] for e in events] == ["thread.closed", "thread.reopened"]
    assert all(schema_errors(e) == [] for e in events)


def test_a_held_comment_never_reaches_strangers(
    thread: Thread,
    reader_rosa: Actor,
    moderator_max: Actor,
    bus: Backend,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BROADSHEET_MODERATION_MODE = "all"
    comment = post(thread, reader_rosa, "Held for review.")
    assert comment.status == Comment.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit_comment(comment=comment, actor=reader_rosa, body="Held, and edited.")
    assert published(bus, channels.public(thread.pk)) == []
    rosa_channel = channels.own(thread.pk, user_id=reader_rosa.user_id)
    assert rosa_channel is not None
    for channel in (channels.moderators(thread.pk), rosa_channel):
        assert only(bus, channel)["type"] == "comment.edited"
    # Approved, it appears for everyone.
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_approve_comment(comment=comment, actor=moderator_max)
    event = only(bus, channels.public(thread.pk))
    assert event["type"] in {"comment.posted", "comment.approved"}
    assert event["data"]["comment_id"] == comment.pk and event["data"]["count"] == 1


def test_a_guests_held_comment_goes_to_their_reader_channel(
    thread: Thread,
    guest_gabriel: Actor,
    bus: Backend,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BROADSHEET_MODERATION_MODE = "all"
    comment = post(thread, guest_gabriel, "A guest's held comment.")
    event = mapping.comment_edited(
        type(
            "Edited",
            (),
            {"thread_id": thread.pk, "comment_id": comment.pk, "edited_at": comment.created_at},
        )()
    )[0]
    assert event.channels == (
        channels.moderators(thread.pk),
        channels.own(thread.pk, reader_hash=guest_gabriel.reader_hash),
    )


def test_hiding_a_comment_removes_it_for_everyone(
    thread: Thread,
    reader_rosa: Actor,
    moderator_max: Actor,
    bus: Backend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa, "Visible, then not.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_reject_comment(comment=comment, actor=moderator_max)
    event = only(bus, channels.public(thread.pk))
    assert event["type"] in {"comment.deleted", "comment.hidden"}
    assert event["data"]["comment_id"] == comment.pk and event["data"]["count"] == 0


def test_featuring_and_unfeaturing_a_comment(
    thread: Thread,
    reader_rosa: Actor,
    moderator_max: Actor,
    bus: Backend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa, "Worth a badge.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_feature_comment(comment=comment, actor=moderator_max, reason="a fine answer")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_unfeature_comment(comment=comment, actor=moderator_max, reason="outdated")
    events = published(bus, channels.public(thread.pk))
    assert [e["type"] for e in events] == ["comment.featured", "comment.featured"]
    assert [e["data"]["featured"] for e in events] == [True, False]
    assert all(schema_errors(e) == [] for e in events)


def test_every_event_class_of_the_engine_has_a_mapping() -> None:
    from broadsheet.discussion import events as discussion_events

    classes = {
        value
        for value in vars(discussion_events).values()
        if isinstance(value, type)
        and issubclass(value, discussion_events.DiscussionEvent)
        and value is not discussion_events.DiscussionEvent
    }
    assert classes - set(mapping.MAPPERS) == set()


def test_every_type_in_the_schema_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "realtime.md").read_text()
    assert [kind for kind in SCHEMAS if f"`{kind}`" not in doc] == []


def test_a_frame_is_one_server_sent_event() -> None:
    event = WireEvent(type="thread.closed", thread_id=4).on("t4", 9, 1.5)
    assert event.frame() == (
        "id: t4:9\nevent: thread.closed\n"
        'data: {"at":1.5,"ch":"t4","data":{},"seq":9,"thread":4,"type":"thread.closed","v":1}\n\n'
    )
    body = refetch_frame(4).split("data: ")[1]
    assert schema_errors(json.loads(body)) == []


def test_the_schema_check_catches_a_wrong_event() -> None:
    bad = {"v": 1, "type": "comment.score", "data": {"comment_id": "7", "score": 1}}
    errors = schema_errors(bad)
    assert any("fields" in e for e in errors) and any("comment_id" in e for e in errors)


def test_a_reaction_to_the_article_reaches_its_discussion(
    site_structure: Any, bus: Backend, django_capture_on_commit_callbacks: Any
) -> None:
    from broadsheet.articles.actions import do_cast_reaction
    from broadsheet.articles.testing import make_article

    article = make_article(title="Room for the river")
    thread = Thread.objects.create(key=article.thread_key, title=article.title)
    with django_capture_on_commit_callbacks(execute=True):
        do_cast_reaction(article=article, voter_key="r:1", value=1)
    with django_capture_on_commit_callbacks(execute=True):
        do_cast_reaction(article=article, voter_key="r:2", value=-1)
    events = published(bus, channels.public(thread.pk))
    assert [e["data"] for e in events] == [{"up": 1, "down": 0}, {"up": 1, "down": 1}]
    assert all(e["type"] == "article.reactions" and schema_errors(e) == [] for e in events)
