"""Comment markup, rendered once per distinct look and kept (a bounded per-process LRU).

Rendering discussion/includes/comment.html costs a noticeable share of a page per comment
(several {% url %}, a {% csrf_token %}, three date filters; figures in
docs/performance.md), and a page shows ~80. The markup of a comment is a pure function of
its inputs, one typed value (FragmentInputs): the CommentView, what the template reads
of its section (SectionLook: the sort and page carried in links, whether replies are
open to this reader) and the CSRF token. A test parses comment.html and its includes and
fails on any variable outside FragmentInputs, so the key below cannot miss one. So:

- the cache key holds the SectionLook and *every* field of the CommentView (body,
  votes, status, edit time, name, avatar, parent name, the reader's own vote and
  Edit/Delete/Report rights, ...), the text "3 hours ago" shown for its date, and the
  language and time zone. A changed comment has a different key, so a stale fragment
  cannot be served, and nothing needs purging.
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
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from broadsheet.core.kept_markup import (
    HoledMarkup,
    filled_from,
    held_by_look,
    keepable_token,
    kept_by_look,
)
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.discussion.presentation import CommentGroup, CommentView
from broadsheet.discussion.section import (
    DiscussionContext,
    FormState,
    Section,
    more_fragment_url_of,
    more_href_of,
    previous_href_of,
    sort_links_of,
    view_links_of,
)
from broadsheet.discussion.sorting import Sort

COMMENT_TEMPLATE = "discussion/includes/comment.html"
FORM_TEMPLATE = "discussion/includes/form.html"
SECTION_TEMPLATE = "discussion/section.html"

# Every field of the view but `before` (groups.html prints it outside the comment) and
# `passage`, which is a mutable dataclass and goes into the key as a tuple.
_VIEW_FIELDS = tuple(f.name for f in fields(CommentView) if f.name not in ("before", "passage"))
_view_values = attrgetter(*_VIEW_FIELDS)


class SectionLook(NamedTuple):
    """What comment.html (and its includes) may read of its section, as `d`: every value
    here is in the fragment's key. A named tuple: hashed in C for every comment."""

    accepting: bool
    sign_in_required: bool
    base_query: str
    vote_query: str
    # Always None in a cached render: a comment with the reply form open under it is
    # rendered afresh, with the whole section (render_comment), and never kept.
    reply_form: None = None

    @classmethod
    def of(cls, d: DiscussionContext) -> SectionLook:
        return cls(d.accepting, d.sign_in_required, d.base_query, d.vote_query)


@dataclass(frozen=True, slots=True)
class FragmentInputs:
    """Everything a cached comment.html render reads, by the names the template uses."""

    c: CommentView
    d: SectionLook
    csrf_token: str
    # Only the vote view renders vote.html with an error, with its own context.
    vote_error: None = None

    def context(self) -> dict[str, Any]:
        return {"c": self.c, "d": self.d, "csrf_token": self.csrf_token, "vote_error": None}


# Never shown to anyone (always replaced), unguessable, so no comment text can contain it.
_CSRF_MARKER = f"csrf{secrets.token_hex(16)}"


# key -> the markup split at the CSRF marker
comment_fragments: BoundedLRU[Hashable, tuple[str, ...]] = BoundedLRU(
    setting_bytes("BROADSHEET_COMMENT_FRAGMENTS_BYTES", 8 * 1024 * 1024)
)


class _NaturalTimes:
    """naturaltime() of each date, worked out once per second (a call is slow next to a
    cache hit: docs/performance.md)."""

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


def section_key(d: DiscussionContext) -> tuple[str, str, SectionLook]:
    """What every comment of a section shares and its markup depends on."""
    return (translation.get_language(), timezone.get_current_timezone_name(), SectionLook.of(d))


def comment_key(
    c: CommentView, shared: tuple[str, str, SectionLook], when: str | None = None
) -> tuple[Hashable, ...]:
    """The fragment's key; `when`: the text shown for its date, when already worked out."""
    passage = c.passage
    return (
        shared,
        _view_values(c),
        None
        if passage is None
        else (passage.kind, passage.block_id, passage.quote, passage.href, passage.outdated),
        natural_time(c.created_at, shared[0]) if when is None else when,
    )


def _markup(
    c: CommentView,
    d: DiscussionContext,
    csrf_token: object,
    shared: tuple[str, str, SectionLook],
    full_context: Callable[[], Mapping[Any, Any]] | None,
    when: str | None = None,
) -> str:
    """comment.html for `c` (see render_comment), as markup to be marked safe by the
    caller once."""
    reply_form = d.reply_form
    token = keepable_token(csrf_token)
    if token is None or (reply_form is not None and getattr(reply_form.parent, "pk", None) == c.id):
        return get_template(COMMENT_TEMPLATE).render(
            {**(full_context() if full_context else {}), "c": c, "d": d, "csrf_token": csrf_token}
        )
    key = comment_key(c, shared, when)
    parts = comment_fragments.get(key)
    if parts is None:
        inputs = FragmentInputs(c=c, d=shared[2], csrf_token=_CSRF_MARKER)
        html = get_template(COMMENT_TEMPLATE).render(inputs.context())
        parts = tuple(html.split(_CSRF_MARKER))
        comment_fragments.put(key, parts)
    return token.join(parts)


def render_comment(
    c: CommentView,
    d: DiscussionContext,
    csrf_token: object,
    *,
    shared: tuple[str, str, SectionLook] | None = None,
    full_context: Callable[[], Mapping[Any, Any]] | None = None,
) -> SafeString:
    """comment.html for `c` in section `d`, from the cache when this look was seen before.
    `full_context` gives the whole context to render with when the cache is bypassed."""
    shared = shared if shared is not None else section_key(d)
    return SafeString(_markup(c, d, csrf_token, shared, full_context))


def render_groups(
    groups: Sequence[CommentGroup],
    d: DiscussionContext,
    csrf_token: object,
    *,
    full_context: Callable[[], Mapping[Any, Any]] | None = None,
) -> SafeString:
    """discussion/includes/groups.html for `groups`, written out here rather than walked
    by the template engine per comment: the same bytes (test_groups_markup renders both
    for every comment state), each comment through render_comment's cache. A comment's
    date text is worked out once per date and call."""
    shared = section_key(d)
    language = shared[0]
    times: dict[datetime, str] = {}

    def comment(c: CommentView) -> str:
        when = times.get(c.created_at)
        if when is None:
            when = times[c.created_at] = natural_time(c.created_at, language)
        return _markup(c, d, csrf_token, shared, full_context, when)

    out: list[str] = []
    add = out.append
    for group in groups:
        root = group.root
        add('\n<li class="comment-thread">\n  ')
        add(comment(root))
        add("\n  ")
        if group.replies:
            add('\n  <ol class="comment-replies">\n    ')
            for c in group.replies:
                add(c.before)
                add(comment(c))
            add(group.after)
            add("\n  </ol>\n  ")
        add("\n  ")
        if group.more:
            add('\n  <p class="comment-thread__more"><a href="')
            add(conditional_escape(reverse("discussion:replies", args=(root.id,))))
            add('">')
            add(_more_replies(root.reply_count))
            add("</a></p>\n  ")
        add("\n</li>\n")
    add("\n")  # the template file's last line break
    return SafeString("".join(out))


def _more_replies(count: int) -> str:
    """The link text {% blocktranslate count ... %} gives in groups.html."""
    singular, plural = "View the reply", "View all %(shown)s replies"
    data = {"shown": conditional_escape(intcomma(count))}
    try:
        return translation.ngettext(singular, plural, count) % data
    except (KeyError, ValueError):  # a broken translation: the tag falls back to the source
        with translation.override(None):
            data = {"shown": conditional_escape(intcomma(count))}
            return translation.ngettext(singular, plural, count) % data


# The new-comment form of a section, kept per look (render_form).


class ThreadLook(NamedTuple):
    pk: int


class ActorLook(NamedTuple):
    is_authenticated: bool
    name: str


class FormLook(NamedTuple):
    """Everything form.html (and its includes) reads of its section, as `d`, by the names
    the template uses: the whole key of a kept form. test_kept_form parses the template
    and fails on any `d.…` it reads that is not here."""

    thread: ThreadLook
    actor: ActorLook
    next_url: str
    sort_param: str
    guest_fields: bool
    login_url: str
    sign_in_next: str
    name_max_length: int
    markdown_hint: str
    base_query: str
    # Always None in a kept form: a remembered guest's name and e-mail are theirs alone.
    remembered: None = None

    @classmethod
    def of(cls, d: DiscussionContext) -> FormLook:
        actor = d.actor
        return cls(
            ThreadLook(d.thread.pk),
            ActorLook(actor.is_authenticated, actor.name),
            d.next_url,
            d.sort_param,
            d.guest_fields,
            d.login_url,
            d.sign_in_next,
            d.name_max_length,
            d.markdown_hint,
            d.base_query,
        )


# A form nobody has typed into: the only state of `f` a kept form is rendered with.
_UNTOUCHED = FormState()

# (FormLook, language, time zone, script prefix) -> the form's markup cut at its holes
# (core.kept_markup.kept_by_look)
kept_forms: BoundedLRU[Hashable, HoledMarkup] = BoundedLRU(
    setting_bytes("BROADSHEET_KEPT_FORMS_BYTES", 512 * 1024)
)


def render_form(
    d: DiscussionContext,
    f: FormState,
    csrf_token: object,
    *,
    full_context: Callable[[], Mapping[Any, Any]] | None = None,
) -> SafeString:
    """form.html for the section's own form. An untouched new-comment form is the same for
    every reader with the same FormLook but for its CSRF token and signed render time:
    its markup is kept per process with those two as holes (core.kept_markup), rendered
    from the FormLook alone. Any other form (a reply, an edit, a passage; typed text,
    errors, a preview; a remembered guest's details) is rendered afresh with the section
    (`full_context`: the whole context of the include it replaces)."""
    token = keepable_token(csrf_token)
    if f != _UNTOUCHED or d.remembered is not None or token is None:
        context = {**(full_context() if full_context else {}), "d": d, "csrf_token": csrf_token}
        return SafeString(get_template(FORM_TEMPLATE).render({**context, "f": f}))
    look = FormLook.of(d)
    render = get_template(FORM_TEMPLATE).render
    return kept_by_look(kept_forms, look, render, {"d": look, "f": _UNTOUCHED}, token)


# The section around its comments, form and "Notify of", kept per look (render_section).


class FrameThreadLook(NamedTuple):
    pk: int
    is_closed: bool


class LiveLook(NamedTuple):
    url: str


class ModeratorLook(NamedTuple):
    can_moderate: bool


class PageLook(NamedTuple):
    has_previous: bool
    number: int


@dataclass(frozen=True, slots=True)
class SectionFrameLook:
    """Everything section.html (and its includes) reads of its section, as `d`, outside its
    `{% kept_hole %}`s: the whole key of a kept section. The holes (the comment list, the
    form, "Notify of", the live stream's start time) are rendered for each request with
    the section itself. test_kept_section parses the templates and fails on any `d.…`
    read outside a hole that is not here."""

    thread: FrameThreadLook
    live: LiveLook | None
    count: int
    sort: Sort
    sort_param: str
    view: str
    accepting: bool
    sign_in_required: bool
    login_url: str
    # Where "Sign in" comes back to: read only when signing in is required.
    sign_in_next: str
    actor: ModeratorLook
    page: PageLook
    groups: bool
    has_next: bool

    @property
    def sort_links(self) -> list[dict[str, object]]:
        return sort_links_of(self.sort)

    @property
    def view_links(self) -> list[dict[str, object]]:
        return view_links_of(self.view)

    @property
    def previous_href(self) -> str:
        return previous_href_of(self.sort_param, self.page.number, self.view)

    @property
    def more_href(self) -> str:
        return more_href_of(self.sort_param, self.page.number, self.view)

    @property
    def more_fragment_url(self) -> str:
        return more_fragment_url_of(self.thread.pk, self.sort, self.page.number, self.view)

    @classmethod
    def of(cls, d: Section) -> SectionFrameLook:
        live = d.live
        sign_in_required = d.sign_in_required
        page = d.page
        return cls(
            FrameThreadLook(d.thread.pk, d.thread.is_closed),
            LiveLook(live["url"]) if live else None,
            d.count,
            d.sort,
            d.sort_param,
            d.view,
            d.accepting,
            sign_in_required,
            d.login_url,
            d.sign_in_next if sign_in_required else "",
            ModeratorLook(d.actor.can_moderate),
            PageLook(bool(page and page.has_previous), d.page_number),
            bool(d.groups),
            d.has_next,
        )


# (SectionFrameLook, language, time zone, script prefix) -> section.html cut at its holes
kept_sections: BoundedLRU[Hashable, HoledMarkup] = BoundedLRU(
    setting_bytes("BROADSHEET_KEPT_SECTIONS_BYTES", 512 * 1024)
)


def render_section(d: Section, request: Any, csrf_token: object) -> SafeString:
    """section.html for `d`. Around its comment list, form, "Notify of" and live start time
    (its `{% kept_hole %}`s, rendered for each request from the section itself), the
    section is the same for every reader with the same SectionFrameLook but for the CSRF
    token: kept per process with those as holes (core.kept_markup)."""
    template = get_template(SECTION_TEMPLATE)
    values = {"d": d, "request": request, "csrf_token": csrf_token}
    token = keepable_token(csrf_token)
    if token is None:
        return SafeString(template.render(values))
    look = SectionFrameLook.of(d)
    markup = held_by_look(kept_sections, look, template.render, {"d": look})
    engine_template = template.template  # type: ignore[attr-defined]  # Django's backend
    return filled_from(markup, token, engine_template, values)
