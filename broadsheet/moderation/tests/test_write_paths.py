"""One write path per change, each with its actor, check, audit row and a truthfully named
event: closing (by a moderator, from the queue, by auto-close) and comment statuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.core.errors import NotAllowed
from broadsheet.discussion import events
from broadsheet.discussion.actions import (
    do_close_thread,
    do_feature_comment,
    do_reopen_thread,
    do_set_comment_status,
    do_unfeature_comment,
)
from broadsheet.discussion.identity import SYSTEM, Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post
from broadsheet.moderation import actions
from broadsheet.moderation.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[events.DiscussionEvent]]:
    """The events published."""
    received: list[events.DiscussionEvent] = []
    events.subscribe(received.append)
    try:
        yield received
    finally:
        events.unsubscribe(received.append)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """``with commit():`` runs the after-commit work (events) of what it wraps, as the end
    of a request's transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def names(heard: list[events.DiscussionEvent]) -> list[str]:
    return [type(event).__name__ for event in heard]


def test_closing_is_audited_and_announced_whoever_closes(
    thread: Thread, moderator_max: Actor, reader_rosa: Actor, heard: list[Any], commit: Any
) -> None:
    with pytest.raises(NotAllowed):
        do_close_thread(thread=thread, actor=reader_rosa, reason="no")
    with commit():
        do_close_thread(thread=thread, actor=moderator_max, reason="heated")
        do_close_thread(thread=thread, actor=moderator_max)  # already closed: nothing happens
        do_reopen_thread(thread=thread, actor=moderator_max)
    assert names(heard) == ["ThreadClosed", "ThreadReopened"]
    assert heard[0] == events.ThreadClosed(
        thread_id=thread.pk, thread_key=thread.key, reason="heated"
    )
    entries = AuditEntry.objects.order_by("pk").values_list("action", "actor_id", "reason")
    assert list(entries) == [
        ("close", moderator_max.user_id, "heated"),
        ("reopen", moderator_max.user_id, ""),
    ]


def test_auto_close_uses_the_same_write_path_as_the_system(
    thread: Thread, settings: Any, heard: list[Any], commit: Any
) -> None:
    settings.BROADSHEET_MODERATION_AUTO_CLOSE_DAYS = 30
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(days=31))
    with commit():
        assert actions.do_auto_close_old_discussions() == 1
    assert names(heard) == ["ThreadClosed"]
    assert heard[0].reason == "auto-close after 30 days"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.thread_id) == ("close", None, thread.pk)


def test_the_admin_route_takes_only_its_two_verbs(
    client: Client, max_user: Any, thread: Thread
) -> None:
    client.force_login(max_user)
    Thread.objects.filter(pk=thread.pk).update(is_closed=True)
    answer = client.post(f"/admin/moderation/thread/{thread.pk}/open-sesame/")
    assert answer.status_code == 404
    assert Thread.objects.get(pk=thread.pk).is_closed  # not reopened
    client.post(f"/admin/moderation/thread/{thread.pk}/reopen/")
    assert not Thread.objects.get(pk=thread.pk).is_closed


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (actions.do_reject_comment, "rejected"),
        (actions.do_mark_spam, "spam"),
    ],
)
def test_taking_a_comment_down_publishes_comment_hidden(
    thread: Thread,
    reader_rosa: Actor,
    moderator_max: Actor,
    heard: list[Any],
    change: Any,
    status: str,
    commit: Any,
) -> None:
    comment = post(thread, reader_rosa, "A fair point.")
    with commit():
        change(comment=comment, actor=moderator_max, reason="off topic")
    assert heard == [
        events.CommentHidden(
            thread_id=thread.pk, thread_key=thread.key, comment_id=comment.pk, status=status
        )
    ]


def test_holding_after_reports_is_hidden_by_the_system(
    thread: Thread, reader_rosa: Actor, heard: list[Any], commit: Any
) -> None:
    comment = post(thread, reader_rosa, "A fair point.")
    with commit():
        do_set_comment_status(
            comment=comment, actor=SYSTEM, status=Comment.Status.PENDING, reason="reported"
        )
    assert names(heard) == ["CommentHidden"] and heard[0].status == Comment.Status.PENDING
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.status_before) == ("hold", None, "approved")


def test_approving_a_held_comment_publishes_comment_approved(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor, heard: list[Any], commit: Any
) -> None:
    with commit():
        comment = post(thread, reader_rosa, "Oh shut up.")
    assert comment.status == Comment.Status.PENDING
    assert heard == []  # held: nothing for readers yet
    with commit():
        actions.do_approve_comment(comment=comment, actor=moderator_max)
    assert names(heard) == ["CommentApproved"]
    assert heard[0].comment_id == comment.pk


def test_featuring_publishes_comment_featured(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor, heard: list[Any], commit: Any
) -> None:
    comment = post(thread, reader_rosa, "A fair point.")
    with commit():
        do_feature_comment(comment=comment, actor=moderator_max, reason="a fine answer")
        do_unfeature_comment(comment=comment, actor=moderator_max, reason="outdated")
    assert names(heard) == ["CommentFeatured", "CommentUnfeatured"]
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("pk")) == [
        "feature",
        "unfeature",
    ]


def test_only_moderators_set_a_status(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa, "A fair point.")
    with pytest.raises(NotAllowed):
        do_set_comment_status(comment=comment, actor=reader_rosa, status=Comment.Status.SPAM)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
