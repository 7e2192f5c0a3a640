"""Comment markup, rendered once per distinct look and kept (a bounded per-process LRU).

Rendering discussion/includes/comment.html costs ~0.5–2 ms a comment (several {% url %},
a {% csrf_token %}, three date filters); a page shows ~80. The markup of a comment is a
pure function of its CommentView, a few section-wide values (the sort and page carried in
links, whether replies are open to this reader) and the CSRF token. So:

- the cache key holds *every* field of the CommentView (body, votes, status, edit time,
  name, avatar, parent name, the reader's own vote and Edit/Delete/Report rights, ...),
  the section-wide values, the text "3 hours ago" shown for its date, and the language
  and time zone. A changed comment has a different key, so a stale fragment cannot be
  served, and nothing needs purging.
- per-reader state is part of the key as *values* (mine=1, can_edit=True), never as an
  identity: two readers share a fragment only when the template would have produced the
  same markup for both.
- the CSRF token (different for every reader and request) is rendered as a random
  per-process marker that nobody outside this process can know, and each request's own
  token is put in its place.
- a comment with the reply form open under it (the one reader's typed text, errors) is
  rendered afresh and never kept.

A per-process memory cache rather than the shared one: a hit is a dict lookup (a shared
cache would cost a round trip and unpickling per comment), and a cold worker only pays
the ordinary render once per comment.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from broadsheet.discussion.presentation import CommentView

COMMENT_TEMPLATE = "discussion/includes/comment.html"
MAX_ENTRIES = 4000  # ~3 KB each (markup and key): ~12 MB per process at most

# Every field of the view but `before` (groups.html prints it outside the comment) and
# `passage`, which is a mutable dataclass and goes into the key as a tuple.
_VIEW_FIELDS = tuple(f.name for f in fields(CommentView) if f.name not in ("before", "passage"))
_view_values = attrgetter(*_VIEW_FIELDS)
_SECTION_VALUES = ("accepting", "sign_in_required", "base_query", "vote_query")

# Never shown to anyone (always replaced), unguessable, so no comment text can contain it.
_CSRF_MARKER = f"csrf{secrets.token_hex(16)}"
# {% csrf_token %} renders nothing for these: render such contexts the ordinary way.
_NO_CSRF_TOKEN = frozenset(("", "NOTPROVIDED"))


class FragmentCache:
    """A thread-safe LRU of rendered comments: key -> markup split at the CSRF marker."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[str, ...] | None:
        with self._lock:
            parts = self._entries.get(key)
            if parts is not None:
                self._entries.move_to_end(key)
            return parts

    def put(self, key: Hashable, parts: tuple[str, ...]) -> None:
        with self._lock:
            self._entries[key] = parts
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


comment_fragments = FragmentCache()


class _NaturalTimes:
    """naturaltime() of each date, worked out once per second (it costs ~0.1 ms a call)."""

    def __init__(self) -> None:
        self._second = -1
        self._texts: dict[tuple[datetime, str], str] = {}
        self._lock = threading.Lock()

    def __call__(self, value: datetime, language: str) -> str:
        second = int(time.time())
        key = (value, language)
        with self._lock:
            if second != self._second:
                self._second, self._texts = second, {}
            text = self._texts.get(key)
        if text is None:
            text = str(naturaltime(value))
            with self._lock:
                if self._second == second:
                    self._texts[key] = text
        return text


natural_time = _NaturalTimes()


def section_key(d: Any) -> tuple[Hashable, ...]:
    """What every comment of a section shares and its markup depends on."""
    return (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        *(getattr(d, name) for name in _SECTION_VALUES),
    )


def comment_key(c: CommentView, shared: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
    passage = c.passage
    return (
        shared,
        _view_values(c),
        None
        if passage is None
        else (passage.kind, passage.block_id, passage.quote, passage.href, passage.outdated),
        natural_time(c.created_at, str(shared[0])),
    )


def render_comment(
    c: CommentView,
    d: Any,
    csrf_token: object,
    *,
    shared: tuple[Hashable, ...] | None = None,
    full_context: Callable[[], Mapping[Any, Any]] | None = None,
) -> SafeString:
    """comment.html for `c` in section `d`, from the cache when this look was seen before.
    `full_context` gives the whole context to render with when the cache is bypassed."""
    reply_form = getattr(d, "reply_form", None)
    token = str(csrf_token) if csrf_token else ""
    if token in _NO_CSRF_TOKEN or (
        reply_form is not None and getattr(reply_form.parent, "pk", None) == c.id
    ):
        return mark_safe(
            get_template(COMMENT_TEMPLATE).render(
                {
                    **(full_context() if full_context else {}),
                    "c": c,
                    "d": d,
                    "csrf_token": csrf_token,
                }
            )
        )
    key = comment_key(c, shared if shared is not None else section_key(d))
    parts = comment_fragments.get(key)
    if parts is None:
        html = get_template(COMMENT_TEMPLATE).render({"c": c, "d": d, "csrf_token": _CSRF_MARKER})
        parts = tuple(html.split(_CSRF_MARKER))
        comment_fragments.put(key, parts)
    return mark_safe(token.join(parts))
