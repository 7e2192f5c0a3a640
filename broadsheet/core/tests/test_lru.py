"""The per-process LRU counts bytes: it never holds more than its budget, whatever the
entries' sizes, and every per-process cache is bounded by its own setting."""

from __future__ import annotations

import sys
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pytest

from broadsheet.articles.selectors import page_parts
from broadsheet.core.caching import BoundedMemoryCache
from broadsheet.core.kept_markup import kept_parts
from broadsheet.core.lru import BoundedLRU, deep_size
from broadsheet.core.pagecache import _local_pages
from broadsheet.discussion.compiled import CompiledQueries
from broadsheet.discussion.rendering import comment_fragments, kept_sections


def test_deep_size_counts_what_an_object_holds_once() -> None:
    text = "x" * 10_000
    assert deep_size(text) == sys.getsizeof(text)
    assert deep_size((text,)) == sys.getsizeof((text,)) + sys.getsizeof(text)
    # The same string twice is one string.
    assert deep_size((text, text)) == sys.getsizeof((text, text)) + sys.getsizeof(text)
    assert deep_size({"a": [text]}) > 10_000
    assert deep_size({"a": [text]}) < 10_000 + 1_000


@dataclass(frozen=True, slots=True)
class _Slotted:
    body: str


class _Plain:
    def __init__(self, body: str) -> None:
        self.body = body


def test_deep_size_follows_instances_and_slots_but_not_code() -> None:
    assert deep_size(_Slotted("y" * 5_000)) > 5_000
    assert deep_size(_Plain("y" * 5_000)) > 5_000
    # Functions and classes are the program's, not the entry's.
    assert deep_size((deep_size, _Plain)) == sys.getsizeof((deep_size, _Plain))


def test_the_lru_never_holds_more_than_its_budget() -> None:
    cache: BoundedLRU[int, str] = BoundedLRU(50_000)
    for n in range(200):
        cache.put(n, "z" * (n * 37 % 9_000))  # entries of very different sizes
        assert cache.bytes <= 50_000
    assert 0 < len(cache) < 200
    assert cache.bytes == sum(
        deep_size(key) + deep_size(cache.get(key)) for key in range(200) if key in cache
    )


def test_the_least_recently_used_entries_go_first() -> None:
    one = deep_size(0) + deep_size("a" * 100)
    cache: BoundedLRU[int, str] = BoundedLRU(3 * one)
    for n in range(3):
        cache.put(n, "a" * 100)
    assert cache.get(0) is not None  # 0 is now the most recently used
    cache.put(3, "a" * 100)
    assert 1 not in cache and {0, 2, 3} <= {key for key in range(4) if key in cache}


def test_an_entry_over_the_whole_budget_is_refused() -> None:
    cache: BoundedLRU[str, str] = BoundedLRU(10_000)
    assert cache.put("small", "s" * 100)
    assert cache.put("small", "b" * 20_000) is False  # replacing with one too big
    assert "small" not in cache and cache.bytes == 0 and len(cache) == 0


def test_pop_and_clear_give_the_bytes_back() -> None:
    cache: BoundedLRU[str, str] = BoundedLRU(100_000)
    cache.put("a", "a" * 1_000)
    cache.put("b", "b" * 1_000)
    assert cache.pop("a") == "a" * 1_000
    assert cache.bytes == deep_size("b") + deep_size("b" * 1_000)
    cache.clear()
    assert cache.bytes == 0 and len(cache) == 0


def _fill(cache: BoundedLRU[Any, Any], entry_bytes: int) -> None:
    for n in range(50):
        cache.put(("probe", n), {"body": "p" * entry_bytes})


@pytest.mark.parametrize(
    ("setting", "cache"),
    [
        ("BROADSHEET_PAGE_CACHE_LOCAL_BYTES", _local_pages),
        ("BROADSHEET_COMMENT_FRAGMENTS_BYTES", comment_fragments),
        ("BROADSHEET_ARTICLE_PARTS_BYTES", page_parts),
        ("BROADSHEET_KEPT_MARKUP_BYTES", kept_parts),
        ("BROADSHEET_KEPT_SECTIONS_BYTES", kept_sections),
        ("BROADSHEET_COMPILED_QUERIES_BYTES", CompiledQueries()._entries),
    ],
)
def test_each_per_process_cache_keeps_within_its_setting(
    settings: Any, setting: str, cache: BoundedLRU[Hashable, Any]
) -> None:
    cache.clear()
    try:
        setattr(settings, setting, 64 * 1024)
        _fill(cache, 10_000)
        assert 0 < cache.bytes <= 64 * 1024
        assert len(cache) < 50
        setattr(settings, setting, 16 * 1024)  # lowered: the next write obeys it
        _fill(cache, 10_000)
        assert 0 < cache.bytes <= 16 * 1024
    finally:
        cache.clear()


def _memory_cache(max_bytes: int) -> BoundedMemoryCache:
    return BoundedMemoryCache("test", {"OPTIONS": {"MAX_BYTES": max_bytes}, "TIMEOUT": 60})


def test_the_memory_cache_answers_as_a_django_cache() -> None:
    cache = _memory_cache(1024 * 1024)
    assert cache.get("a") is None and cache.get("a", "none") == "none"
    cache.set("a", {"rendition": 1})
    assert cache.get("a") == {"rendition": 1}
    assert cache.add("a", "other") is False and cache.add("b", "new") is True
    assert cache.get_many(["a", "b", "c"]) == {"a": {"rendition": 1}, "b": "new"}
    assert cache.delete("a") is True and cache.delete("a") is False
    assert cache.has_key("b") and not cache.has_key("a")
    cache.set("gone", 1, timeout=-1)  # already expired
    assert cache.get("gone") is None and cache.touch("gone") is False
    assert cache.touch("b", timeout=None) is True and cache.get("b") == "new"
    cache.clear()
    assert cache.get("b") is None


def test_the_memory_cache_keeps_within_its_bytes(settings: Any) -> None:
    cache = _memory_cache(64 * 1024)
    for n in range(100):
        cache.set(f"rendition-{n}", "r" * 5_000)
        assert cache._entries.bytes <= 64 * 1024
    assert cache.get("rendition-99") == "r" * 5_000 and cache.get("rendition-0") is None
    assert settings.CACHES["renditions"]["BACKEND"].endswith("BoundedMemoryCache")
    assert (
        settings.CACHES["renditions"]["OPTIONS"]["MAX_BYTES"]
        == settings.BROADSHEET_RENDITIONS_CACHE_BYTES
    )
