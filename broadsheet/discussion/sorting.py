"""How top-level comments are ordered: ``newest``, ``oldest`` and ``top`` (Most voted).

One table of orderings drives everything: the SQL ``ORDER BY`` of the page query, the
"which page holds this comment" count, and the in-memory sort key of the tests
(testing.sort_key). The module never touches the database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    TOP = "top"


LABELS: dict[Sort, str | Promise] = {
    Sort.NEWEST: _("Newest"),
    Sort.OLDEST: _("Oldest"),
    Sort.TOP: _("Most voted"),
}

# (field, descending). `id` last: the total order that offset paging needs.
ORDERINGS: dict[Sort, tuple[tuple[str, bool], ...]] = {
    Sort.NEWEST: (("created_at", True), ("id", True)),
    Sort.OLDEST: (("created_at", False), ("id", False)),
    # Most voted: score first, then the newer of two equally voted comments.
    Sort.TOP: (("score", True), ("created_at", True), ("id", True)),
}


class Rankable(Protocol):
    id: Any
    score: int
    created_at: datetime


def parse_sort(value: str | None, default: str | Sort = Sort.NEWEST) -> Sort:
    """The sort a reader asked for, or the default when missing or unknown."""
    try:
        return Sort(value or "")
    except ValueError:
        try:
            return Sort(default)
        except ValueError:
            return Sort.NEWEST


def order_by(sort: Sort) -> tuple[str, ...]:
    """Arguments for ``QuerySet.order_by``."""
    return tuple(f"-{field}" if descending else field for field, descending in ORDERINGS[sort])


def preceding(sort: Sort, item: Rankable) -> Q:
    """A filter matching the rows that come before `item` in this sort.

    Lexicographic: (a before) OR (a equal AND b before) OR ...; counting them gives
    the item's position, hence the page that holds it.
    """
    condition = Q(pk__in=[])
    equal = Q()
    for field, descending in ORDERINGS[sort]:
        value = getattr(item, field)
        lookup = "gt" if descending else "lt"
        condition |= equal & Q(**{f"{field}__{lookup}": value})
        equal &= Q(**{field: value})
    return condition


def page_of_position(position: int, page_size: int) -> int:
    """The 1-based page that shows the item at 0-based `position`."""
    return position // max(1, page_size) + 1
