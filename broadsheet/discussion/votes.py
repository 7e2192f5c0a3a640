"""The one vote engine: a voter's +1 / -1 / 0 on something, for comments and for any
host's own things (the articles app's reactions use it too).

What every vote shares lives here once: the values and the messages, the arithmetic of
a change (switching from up to down moves both counters), and the retry of two first
votes of one voter that race on the unique constraint. What differs is where the vote
and its counters are kept: a ``VoteStore``. A store locks the voter's row when it reads
it (select_for_update on PostgreSQL; SQLite's IMMEDIATE transaction already serialises
writers) and changes counters with single F()-style statements, so concurrent clicks
never lose or double a vote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from broadsheet.core.errors import ActionError

VOTE_VALUES = (-1, 0, 1)
CHOOSE_MESSAGE = _("Choose Upvote or Downvote.")
TOO_FAST_MESSAGE = _("You are voting very fast. Please wait a minute and try again.")
ATTEMPTS = 3


def check_vote_value(value: int) -> None:
    if value not in VOTE_VALUES:
        raise ActionError(CHOOSE_MESSAGE, field="value")


class VoteStore(Protocol):
    """Where one voter's vote on one thing, and that thing's counters, are kept."""

    def locked_vote(self) -> tuple[object | None, int]:
        """(a handle on the voter's vote row, or None; its value, 0 without one), the
        row locked for the rest of the transaction."""

    def insert(self, value: int) -> None:
        """The voter's first vote (a racing first vote ends in IntegrityError)."""

    def update(self, handle: object, value: int) -> None: ...

    def delete(self, handle: object) -> None: ...

    def add(self, up: int, down: int) -> tuple[int, ...]:
        """Add to the counters (at least one delta is not 0); the new totals."""

    def totals(self) -> tuple[int, ...]:
        """The counters as they are (nothing changed)."""


@dataclass(frozen=True, slots=True)
class Cast:
    """What a vote did: the voter's vote before and after, and the counters after."""

    previous: int
    value: int
    totals: tuple[int, ...]

    @property
    def changed(self) -> bool:
        return self.value != self.previous


def counter_deltas(previous: int, value: int) -> tuple[int, int]:
    """(change of the up counter, change of the down counter) from `previous` to `value`."""
    return int(value == 1) - int(previous == 1), int(value == -1) - int(previous == -1)


def cast(
    store: VoteStore,
    value: int,
    *,
    toggle: bool = False,
    on_change: Callable[[Cast], None] | None = None,
) -> Cast:
    """Set the voter's vote to `value` (with `toggle`, repeating a vote takes it back),
    in a transaction of its own, retried when two first votes of one voter race.
    `on_change` runs inside that transaction when the vote changed: the caller publishes
    its event there (discussion.events.publish_on_commit), so the event's recorders write
    with the vote's own commit. Callers may also schedule what follows a change (page-cache
    bumps) with on_commit after it returns: inside an outer transaction that still waits
    for its commit."""
    check_vote_value(value)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                done = _cast_once(store, value, toggle)
                if on_change is not None and done.changed:
                    on_change(done)
                return done
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _cast_once(store: VoteStore, value: int, toggle: bool) -> Cast:
    handle, previous = store.locked_vote()
    if toggle and previous == value:
        value = 0
    if value != previous:
        if value == 0:
            store.delete(handle)
        elif handle is None:
            store.insert(value)
        else:
            store.update(handle, value)
    up, down = counter_deltas(previous, value)
    totals = store.add(up, down) if up or down else store.totals()
    return Cast(previous=previous, value=value, totals=totals)
