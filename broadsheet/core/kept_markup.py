"""Parts of a page that are the same for every reader, kept per process (a named room;
docs/architecture.md, "Kept markup").

Contract:

- What is kept: the parts of a template wrapped in `{% kept_markup key "<part>" %}` …
  `{% endkept_markup %}` (core/templatetags/kept_markup_tags.py). Each part's bytes are
  those its template gives; the tag only remembers them.
- The key is the page's: its view puts it in the context, and it must change whenever
  anything a wrapped part shows changes, but for the language and time zone, which the
  tag adds (with the part's name). A page without a key (none in its context, or None)
  renders every part every time. Nothing is purged: a new key makes the old entry
  unreachable, and it ages out of the LRU.
- A wrapped part must read nothing that depends on the reader or the request beyond the
  key, but in its holes (below): the CSRF token and `{% kept_hole %}`s are filled for
  each request; no reader's state, no request path elsewhere.
- Bounded in bytes by BROADSHEET_KEPT_MARKUP_BYTES (core/lru.py), and each part kept no
  longer than the page cache keeps a page (BROADSHEET_PAGE_CACHE_SECONDS): a change that
  bumps no version (a raw UPDATE) shows when it would on a cached page.

Used by the article page: base.html's whole document is one kept part, whose key is the
article page parts' key (`articles.selectors.article_page_context`: the page, its latest
revision, the site's address, the address asked for, the `site` and `listings` scope
versions). A new revision, publishing or unpublishing anything, a change of the
publication's settings, an author, an image or a Site (all bump `site`), and any comment
count of a related card (`listings`) each give a new key, so an edit shows at the next
render. Its holes (`{% kept_hole %}` and `per_request_of`, below) are rendered per
request: each feedback passage's count of comments (discussion's `inline_point`), the
reactions (the reader's own, the CSRF token), the discussion and the language links
(the page's address). A preview has no key.

Tested in articles/tests/test_kept_markup.py: pages byte for byte with and without it
(English, Spanish, Arabic; an opinion column with its disclaimer, several bylines, tags,
related articles), two readers from one kept page each with their own holes, and edits
(a new revision published, a changed publication setting, a renamed author, a related
card's new comment) seen at once.

Holes: markup kept with a few per-request values in it (`render_with_holes`, `filled`).
A form is the same for every reader who sees the same look but for its CSRF token and
what a template tag must work out anew for each request (the comment form's signed render
time). Such markup is rendered once with a per-process marker where each of those goes:
the CSRF token's marker is the `csrf_token` of the render, and a tag that writes
something per request calls `per_request(context, fill)`, which in a kept render records
`fill` and writes its marker (and outside one just calls it). Each later request joins
the kept pieces around its own token and each `fill()`. The markers hold 128 random bits
drawn when the process starts and never leave it (every one is replaced), so no text a
reader writes can imitate one. `fill` must depend on nothing of the reader or request:
what does is a reason not to keep the markup at all. The one exception is a part that is
rendered from each request's own context, `{% kept_hole %}…{% endkept_hole %}` inside a
`{% kept_markup %}` part (`per_request_of`): its nodes are rendered for each request in
the context the kept part starts in, so they may read only names that context holds (not
what a `with` or `for` inside the part sets; the part's tests render it kept and not).
A part inside a part being kept is kept with it, its holes among the outer part's.
`kept_by_look` keeps such markup under a typed look (everything its template reads) with
the language, the time zone and the script prefix. Used by a discussion's comment form
(discussion/rendering.py, `render_form`) and "Notify of" (notifications' notify_tags); tested in
core/tests/test_kept_markup_holes.py and discussion/tests/test_kept_form.py.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.template import Context, Template
from django.template.base import NodeList
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from broadsheet.core.lru import BoundedLRU, setting_bytes


def part_key(kept_key: Hashable, part: str) -> Hashable:
    """The key of one part of one page: the page parts' key, the part, the language and
    the time zone (the dates shown)."""
    return (kept_key, part, get_language(), get_current_timezone_name())


# Holes: see the module docstring.
_HOLE_MARK = f"hole{secrets.token_hex(16)}"
CSRF_HOLE = f"{_HOLE_MARK}c."
_HOLE = re.compile(re.escape(_HOLE_MARK) + r"(c|\d+)\.")
# The context name under which a kept render collects the fills of `per_request`.
_HOLES = "_kept_markup_holes"


class _Context(Protocol):
    def get(self, key: str, otherwise: Any = None, /) -> Any: ...


def per_request(context: _Context, fill: Callable[[], str]) -> str:
    """What a template tag writes where a value of its own request goes: `fill()`, or in a
    kept render (render_with_holes) a marker that each request replaces by `fill()`."""
    return per_request_of(context, lambda _request_context: fill())


def per_request_of(context: _Context, fill: Callable[[Any], str]) -> str:
    """What a template node writes where a part rendered with each request's own context
    goes: `fill(context)`, or in a kept render a marker that each request replaces by
    `fill(its context)` (`{% kept_hole %}`; see the module docstring)."""
    holes: list[Callable[[Any], str]] | None = context.get(_HOLES)
    if holes is None:
        return fill(context)
    holes.append(fill)
    return f"{_HOLE_MARK}{len(holes) - 1}."


class HoledMarkup(NamedTuple):
    """Kept markup cut at its holes: pieces[0], hole 0, pieces[1], … Each fill is None
    for the CSRF token, or the callable that writes its hole from the request's context."""

    pieces: tuple[str, ...]
    fills: tuple[Callable[[Any], str] | None, ...]


def _cut(markup: str, holes: list[Callable[[Any], str]]) -> HoledMarkup:
    parts = _HOLE.split(markup)
    fills = tuple(None if name == "c" else holes[int(name)] for name in parts[1::2])
    return HoledMarkup(tuple(parts[0::2]), fills)


def render_with_holes(
    render: Callable[[dict[str, Any]], str], context: dict[str, Any]
) -> HoledMarkup:
    """`render(context)` with markers for the CSRF token and each `per_request` value."""
    holes: list[Callable[[Any], str]] = []
    return _cut(render({**context, "csrf_token": CSRF_HOLE, _HOLES: holes}), holes)


def render_nodes_with_holes(nodelist: NodeList, context: Context) -> HoledMarkup:
    """A template's nodes rendered in `context` with markers for the CSRF token, each
    `per_request` value and each `{% kept_hole %}`."""
    holes: list[Callable[[Any], str]] = []
    with context.push({"csrf_token": CSRF_HOLE, _HOLES: holes}):
        return _cut(nodelist.render(context), holes)


def filled(markup: HoledMarkup, csrf_token: str, context: Any = None) -> SafeString:
    """The kept markup with this request's CSRF token and per-request values in place;
    `context`: the request's own, for the holes that render from it."""
    out = [markup.pieces[0]]
    for fill, piece in zip(markup.fills, markup.pieces[1:], strict=True):
        out.append(csrf_token if fill is None else fill(context))
        out.append(piece)
    return SafeString("".join(out))


# {% csrf_token %} renders nothing for these (no request, or Django's placeholder): what
# shows one is rendered the ordinary way and not kept.
_NO_CSRF_TOKEN = frozenset(("", "NOTPROVIDED"))


def keepable_token(csrf_token: object) -> str | None:
    """The request's CSRF token as a kept render fills it in, or None when a render with
    it must not be kept ({% csrf_token %} would write nothing)."""
    token = str(csrf_token) if csrf_token else ""
    return None if token in _NO_CSRF_TOKEN else token


class KeptPart(NamedTuple):
    markup: HoledMarkup
    since: float  # time.monotonic() when it was rendered


# (the page's key, the part, language, time zone) -> the part cut at its holes
kept_parts: BoundedLRU[Hashable, KeptPart] = BoundedLRU(
    setting_bytes("BROADSHEET_KEPT_MARKUP_BYTES", 2 * 1024 * 1024)
)


def kept_part(key: Hashable, nodelist: NodeList, context: Context) -> SafeString:
    """The part `nodelist` of a page (`{% kept_markup %}`) under `key` (part_key), kept in
    kept_parts with its holes and filled for this request from its context. A part with
    a CSRF hole is rendered the ordinary way for a request without a token."""
    if context.get(_HOLES) is not None:
        # Within a part being kept: kept with it, its holes among the part's.
        return SafeString(nodelist.render(context))
    kept = kept_parts.get(key)
    # Kept no longer than the page cache keeps a page: a change no scope's version tells
    # of (a raw UPDATE) shows as soon as on a cached page.
    if kept is None or time.monotonic() - kept.since > settings.BROADSHEET_PAGE_CACHE_SECONDS:
        kept = KeptPart(render_nodes_with_holes(nodelist, context), time.monotonic())
        kept_parts.put(key, kept)
    markup = kept.markup
    token = ""
    if None in markup.fills:
        keepable = keepable_token(context.get("csrf_token"))
        if keepable is None:
            return SafeString(nodelist.render(context))
        token = keepable
    return filled(markup, token, context)


def held_by_look(
    cache: BoundedLRU[Hashable, HoledMarkup],
    look: Hashable,
    render: Callable[[dict[str, Any]], str],
    context: dict[str, Any],
) -> HoledMarkup:
    """`render(context)` kept in `cache` with its holes, under `look` (everything the
    template reads, the caller's contract) with the language, the time zone and the
    script prefix (addresses are reversed under it)."""
    key = (look, get_language(), get_current_timezone_name(), get_script_prefix())
    markup = cache.get(key)
    if markup is None:
        markup = render_with_holes(render, context)
        cache.put(key, markup)
    return markup


def kept_by_look(
    cache: BoundedLRU[Hashable, HoledMarkup],
    look: Hashable,
    render: Callable[[dict[str, Any]], str],
    context: dict[str, Any],
    csrf_token: str,
) -> SafeString:
    """held_by_look's markup filled for this request."""
    return filled(held_by_look(cache, look, render, context), csrf_token)


def filled_from(
    markup: HoledMarkup, csrf_token: str, template: Template, values: dict[str, Any]
) -> SafeString:
    """`filled`, with each `{% kept_hole %}` rendered from this request's `values` as
    `template` (the one the markup was rendered from) renders them."""
    context = Context(values, autoescape=template.engine.autoescape)
    with context.render_context.push_state(template), context.bind_template(template):
        return filled(markup, csrf_token, context)
