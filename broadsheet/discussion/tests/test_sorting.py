"""Sorting: newest, oldest and Most voted, the same in SQL and in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from broadsheet.discussion.sorting import (
    LABELS,
    Sort,
    order_by,
    page_of_position,
    parse_sort,
    preceding,
)
from broadsheet.discussion.testing import sort_key

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Item:
    id: int
    score: int
    created_at: datetime


ITEMS = [
    Item(1, 5, T0),
    Item(2, 9, T0 + timedelta(minutes=1)),
    Item(3, 5, T0 + timedelta(minutes=2)),
    Item(4, -2, T0 + timedelta(minutes=3)),
    Item(5, 5, T0 + timedelta(minutes=2)),  # same time as 3: the higher id is "newer"
]


def ids(items: list[Item]) -> list[int]:
    return [item.id for item in items]


def test_newest_puts_the_latest_comment_first() -> None:
    assert ids(sorted(ITEMS, key=sort_key(Sort.NEWEST))) == [4, 5, 3, 2, 1]


def test_oldest_is_exactly_the_reverse_of_newest() -> None:
    assert ids(sorted(ITEMS, key=sort_key(Sort.OLDEST))) == [1, 2, 3, 5, 4]


def test_most_voted_orders_by_score_then_newest_first() -> None:
    assert ids(sorted(ITEMS, key=sort_key(Sort.TOP))) == [2, 5, 3, 1, 4]


def test_sql_ordering_names_the_same_fields_in_the_same_directions() -> None:
    assert order_by(Sort.NEWEST) == ("-created_at", "-id")
    assert order_by(Sort.OLDEST) == ("created_at", "id")
    assert order_by(Sort.TOP) == ("-score", "-created_at", "-id")


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("top", "newest", Sort.TOP),
        ("oldest", "newest", Sort.OLDEST),
        (None, "top", Sort.TOP),
        ("", "oldest", Sort.OLDEST),
        ("bogus", "newest", Sort.NEWEST),
        ("bogus", "also-bogus", Sort.NEWEST),
        ("TOP", "newest", Sort.NEWEST),
    ],
)
def test_an_unknown_or_missing_sort_falls_back_to_the_default(
    raw: str | None, default: str, expected: Sort
) -> None:
    assert parse_sort(raw, default) is expected


def test_the_labels_are_what_readers_see() -> None:
    assert [LABELS[sort] for sort in Sort] == ["Newest", "Oldest", "Most voted"]


def test_preceding_builds_a_lexicographic_condition() -> None:
    condition = str(preceding(Sort.TOP, ITEMS[0]))
    assert "score__gt" in condition
    assert "created_at__gt" in condition
    assert "id__gt" in condition


@pytest.mark.parametrize(
    ("position", "size", "page"), [(0, 20, 1), (19, 20, 1), (20, 20, 2), (45, 20, 3), (3, 0, 4)]
)
def test_the_page_of_a_position(position: int, size: int, page: int) -> None:
    assert page_of_position(position, size) == page


def test_each_sort_has_an_index_in_its_exact_order_ending_with_the_id() -> None:
    """A page of top-level comments is read in index order and stops after a page's rows:
    every sort's ORDER BY, tie-breaking id included, is an index of top-level comments
    after the thread (read forwards or backwards). Without the id there PostgreSQL sorts
    every top-level comment of the thread when its statistics are missing or stale."""
    from django.db.models import Q

    from broadsheet.discussion.models import Comment
    from broadsheet.discussion.sorting import ORDERINGS

    top_level = [
        tuple(index.fields)
        for index in Comment._meta.indexes
        if index.condition == Q(parent__isnull=True)
    ]
    for sort, ordering in ORDERINGS.items():
        forwards = ("thread", *(f"-{f}" if descending else f for f, descending in ordering))
        backwards = ("thread", *(f if descending else f"-{f}" for f, descending in ordering))
        assert forwards in top_level or backwards in top_level, sort
