"""Fixed-window rate limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from broadsheet.core.errors import RateLimited
from broadsheet.core.ratelimit import enforce, hit


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("first_is_likely", [False, True])
def test_the_first_events_pass_and_the_one_over_the_limit_does_not(first_is_likely: bool) -> None:
    events = [
        hit("test", "ip-1", limit=3, window=60, first_is_likely=first_is_likely) for _ in range(5)
    ]
    assert events == [
        True,
        True,
        True,
        False,
        False,
    ]
    # Another key has its own count.
    assert hit("test", "ip-2", limit=3, window=60, first_is_likely=first_is_likely)


@pytest.mark.parametrize("first_is_likely", [False, True])
def test_a_counter_that_vanished_starts_again_at_one(first_is_likely: bool) -> None:
    assert hit("test", "ip-1", limit=1, window=60, first_is_likely=first_is_likely)
    assert not hit("test", "ip-1", limit=1, window=60, first_is_likely=first_is_likely)
    cache.clear()
    assert hit("test", "ip-1", limit=1, window=60, first_is_likely=first_is_likely)


def test_enforce_raises_over_the_limit() -> None:
    enforce("test", "ip-1", limit=1, window=60, message="slow down")
    with pytest.raises(RateLimited):
        enforce("test", "ip-1", limit=1, window=60, message="slow down")
