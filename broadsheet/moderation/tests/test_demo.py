"""The demo leaves work waiting in the moderation queue, once."""

from __future__ import annotations

import pytest

from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, post, thread_inconsistencies
from broadsheet.moderation.demo import seed_moderation_queue
from broadsheet.moderation.models import Report

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_queue_once() -> None:
    thread = Thread.objects.create(key="article-1", title="Demo")
    for n in range(4):
        post(thread, guest(), f"Demo comment {n}")
    assert seed_moderation_queue() == "Moderation queue: 3 comments waiting, 4 reports."
    pending = Comment.objects.filter(status=Comment.Status.PENDING)
    assert pending.count() == 4  # 2 held by rules, 1 new commenter, 1 held by reports
    assert Report.objects.count() == 4
    assert thread_inconsistencies(thread) == []
    assert seed_moderation_queue() == "Moderation queue: already seeded."
