"""Which new comments start a fan-out task: only those that may concern someone.

Skipping must be exact: whenever no task is enqueued, the fan-out would have found nobody
to write to (checked here by running it anyway)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_thread, post
from broadsheet.notifications import tasks
from broadsheet.notifications.actions import (
    do_cancel_subscription,
    do_queue_comment_notices,
    do_subscribe,
)
from broadsheet.notifications.models import PendingItem

pytestmark = pytest.mark.django_db

Post = Callable[..., Comment]


class EnqueueRecorder:
    """Stands in for queue_comment_notices_task: records what would be enqueued."""

    def __init__(self) -> None:
        self.comment_ids: list[int] = []

    def enqueue(self, *, comment_id: int) -> None:
        self.comment_ids.append(comment_id)


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> EnqueueRecorder:
    recorder = EnqueueRecorder()
    monkeypatch.setattr(tasks, "queue_comment_notices_task", recorder)
    return recorder


@pytest.fixture
def posted(django_capture_on_commit_callbacks: Any) -> Post:
    """post() with its after-commit work (events) run, as in production."""

    def _post(*args: Any, **kwargs: Any) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    return _post


def nobody_would_be_told(comment: Comment) -> bool:
    do_queue_comment_notices(comment_id=comment.pk)
    return not PendingItem.objects.filter(comment=comment).exists()


def test_no_task_for_a_comment_on_a_discussion_nobody_follows(
    thread: Thread, guest_gabriel: Actor, posted: Post, enqueued: EnqueueRecorder
) -> None:
    comment = posted(thread, guest_gabriel, "Nobody is listening.")
    assert enqueued.comment_ids == []
    assert nobody_would_be_told(comment)


def test_every_comment_on_a_followed_discussion_starts_the_fan_out(
    thread: Thread, rosa: Any, guest_gabriel: Actor, posted: Post, enqueued: EnqueueRecorder
) -> None:
    do_subscribe(thread=thread, kind="replies", user=rosa)
    comment = posted(thread, guest_gabriel, "Someone follows this.")
    assert enqueued.comment_ids == [comment.pk]


def test_unconfirmed_cancelled_and_elsewhere_subscriptions_concern_nobody(
    thread: Thread, rosa: Any, guest_gabriel: Actor, posted: Post, enqueued: EnqueueRecorder
) -> None:
    do_subscribe(thread=thread, kind="thread", email="layla@example.org")  # not confirmed
    cancelled = do_subscribe(thread=thread, kind="thread", user=rosa).subscription
    do_cancel_subscription(subscription=cancelled)
    do_subscribe(thread=make_thread(), kind="thread", user=rosa)  # another discussion
    comment = posted(thread, guest_gabriel, "Still nobody to tell.")
    assert enqueued.comment_ids == []
    assert nobody_would_be_told(comment)


def test_a_mention_starts_the_fan_out_on_any_discussion(
    thread: Thread, rosa: Any, guest_gabriel: Actor, posted: Post, enqueued: EnqueueRecorder
) -> None:
    comment = posted(thread, guest_gabriel, "What does @Rosa think?")
    assert enqueued.comment_ids == [comment.pk]
    assert not nobody_would_be_told(comment)
