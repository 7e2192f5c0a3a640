"""Queries compiled once per shape: each call's values go where the sentinels stood."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.discussion.compiled import (
    compile_query,
    sentinel_datetime,
    sentinel_int,
    sentinel_str,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post

pytestmark = pytest.mark.django_db


def test_int_str_and_datetime_slots_take_each_calls_values(
    thread: Thread, guest_gabriel: Actor
) -> None:
    older, newer = post(thread, guest_gabriel, "Older."), post(thread, guest_gabriel, "Newer.")
    now = timezone.now()
    Comment.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=2))
    Comment.objects.filter(pk=newer.pk).update(created_at=now - timedelta(minutes=5))
    query = compile_query(
        Comment.objects.filter(
            thread_id=sentinel_int(0),
            guest_name=sentinel_str(1),
            created_at__gte=sentinel_datetime(2),
        )
        .order_by("pk")
        .values_list("pk", "created_at"),
        {sentinel_int(0): 0, sentinel_str(1): 1, sentinel_datetime(2): 2},
    )

    def since(moment: object) -> list[int]:
        return [pk for pk, _ in query.rows([thread.pk, "Gabriel", moment])]

    assert since(now - timedelta(hours=3)) == [older.pk, newer.pk]
    assert since(now - timedelta(hours=1)) == [newer.pk]
    assert since(now) == []
    assert [pk for pk, _ in query.rows([thread.pk, "Someone else", now - timedelta(days=1)])] == []
    # Dates come back as the ORM gives them (aware datetimes on every backend).
    ((_, created_at),) = query.rows([thread.pk, "Gabriel", now - timedelta(hours=1)])
    assert created_at == Comment.objects.get(pk=newer.pk).created_at


def test_a_sentinel_that_does_not_reach_the_sql_is_refused() -> None:
    with pytest.raises(ValueError, match="did not reach"):
        compile_query(
            Comment.objects.filter(pk=sentinel_int(0)).values_list("pk"),
            {sentinel_int(0): 0, sentinel_datetime(1): 1},
        )
