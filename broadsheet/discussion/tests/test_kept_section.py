"""The discussion section kept per look around its holes (rendering.render_section): for
every reader, sort, page, view, thread state and language its bytes are section.html's
rendered with the whole section, cold and warm, but for each request's own CSRF token,
signed render time and live start time; the comment list, the form and "Notify of" are
each request's own; and the template reads nothing of the section outside its holes that
is not in SectionFrameLook."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.template.base import NodeList
from django.template.defaulttags import IfNode
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.utils import translation

from broadsheet.core.templatetags.kept_markup_tags import KeptHoleNode
from broadsheet.discussion.actions import do_close_thread
from broadsheet.discussion.models import Thread
from broadsheet.discussion.policy import DiscussionPolicy
from broadsheet.discussion.rendering import (
    SECTION_TEMPLATE,
    FrameThreadLook,
    LiveLook,
    ModeratorLook,
    PageLook,
    SectionFrameLook,
    kept_sections,
    render_section,
)
from broadsheet.discussion.section import Section, build_section
from broadsheet.discussion.testing import (
    guest,
    make_user,
    member,
    post,
)
from broadsheet.discussion.tests.test_fragment_inputs import _expressions, _names
from broadsheet.discussion.tests.test_kept_form import (
    HOSTILE_NAME,
    _request,
    without_render_time,
)

pytestmark = pytest.mark.django_db

SINCE = re.compile(r'data-live-since="[0-9.]+"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def members_only(thread: Thread, request: Any = None) -> DiscussionPolicy:
    """A policy (BROADSHEET_DISCUSSION_POLICY) under which only accounts may comment."""
    return DiscussionPolicy(allow_guests=False)


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    kept_sections.clear()
    yield
    kept_sections.clear()


@pytest.fixture
def busy(thread: Thread, settings: Any) -> Thread:
    """A thread of two pages (page size 2) with replies and a hostile guest name."""
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 2
    first = post(thread, guest(), "The first word.", name=HOSTILE_NAME)
    post(thread, member(make_user("ada", name="Ada Lovelace")), "A reply.", parent=first)
    post(thread, guest(), "A second thought.")
    post(thread, guest(), "A third thought.")
    thread.refresh_from_db()
    return thread


def _plain(section: Section, request: Any, token: str) -> str:
    values = {"d": section, "request": request, "csrf_token": token}
    return get_template(SECTION_TEMPLATE).render(values)


def _stable(markup: str) -> str:
    return SINCE.sub('data-live-since=""', without_render_time(markup))


READERS = {
    "anonymous": lambda: (None, None),
    "guest": lambda: (None, "gabriel"),
    "account": lambda: (make_user(name=HOSTILE_NAME), None),
    "moderator": lambda: (make_user(moderator=True), None),
}
QUERIES = [
    {},
    {"sort": "oldest"},
    {"cpage": "2"},
    {"sort": "top", "cpage": "2"},
    {"view": "inline"},
]


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
@pytest.mark.parametrize("reader", list(READERS))
def test_the_kept_section_is_section_html_rendered_with_the_whole_section(
    busy: Thread, reader: str, language: str
) -> None:
    user, cookie = READERS[reader]()
    with translation.override(language):
        for query in QUERIES:
            request = _request(user, cookie, query)
            token = get_token(request)
            expected = _plain(build_section(request, busy), request, token)
            cold = render_section(build_section(request, busy), request, token)
            warm = render_section(build_section(request, busy), request, token)
            assert _stable(cold) == _stable(warm) == _stable(expected), (reader, query)
            shown = "thought." in warm or "The first word." in warm
            assert shown or "view" in query
    assert len(kept_sections) == len(QUERIES)


@pytest.mark.parametrize("state", ["closed", "members only", "no comments"])
def test_closed_members_only_and_empty_sections_are_kept_as_they_are(
    thread: Thread, state: str, settings: Any
) -> None:
    if state == "closed":
        post(thread, guest(), "Before closing.")
        do_close_thread(thread=thread, actor=member(make_user(moderator=True)), reason="Done")
    elif state == "members only":
        settings.BROADSHEET_DISCUSSION_POLICY = f"{__name__}.members_only"
    pages = []
    for user in (None, make_user(moderator=True)):
        request = _request(user, None, {"sort": "oldest"})
        token = get_token(request)
        thread.refresh_from_db()
        expected = _plain(build_section(request, thread), request, token)
        for _ in range(2):
            pages.append(render_section(build_section(request, thread), request, token))
            assert _stable(pages[-1]) == _stable(expected)
    marks = {
        "closed": "Comments are closed.",
        "members only": "to join the discussion.",
        "no comments": "No comments yet. Start the discussion.",
    }
    assert marks[state] in pages[0]  # as the anonymous reader sees it
    assert "discussion__moderate" in pages[-1] and "discussion__moderate" not in pages[0]


def test_each_request_gets_its_own_comments_form_token_and_times(busy: Thread) -> None:
    first = _request(None, None, {})
    a = render_section(build_section(first, busy), first, get_token(first))
    post(busy, guest(), "Posted between two readers.")
    busy.refresh_from_db()
    second = _request(make_user("bea", name="Bea Reader"), None, {})
    b = render_section(build_section(second, busy), second, get_token(second))
    assert "Posted between two readers." in b and "Posted between two readers." not in a
    assert "Commenting as" not in a and "Bea Reader" in b
    tokens = [set(TOKEN.findall(markup)) for markup in (a, b)]
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]
    assert '<p class="discussion__empty" id="discussion-empty" hidden>' in a
    # The count changed, so the second reader's section was kept under a look of its own.
    assert len(kept_sections) == 2
    third = _request(None, "gabriel", {})
    c = render_section(build_section(third, busy), third, get_token(third))
    assert len(kept_sections) == 2 and "Posted between two readers." in c


def test_a_section_without_a_token_is_not_kept(busy: Thread) -> None:
    request = _request(None, None, {})
    html = render_section(build_section(request, busy), request, "")
    assert "A third thought." in html and len(kept_sections) == 0


def _paths_outside_holes(nodelist: NodeList, seen: set[int]) -> set[tuple[str, ...]]:
    """Every variable path the nodes read, following includes, but not inside holes."""
    paths: set[tuple[str, ...]] = set()
    for node in nodelist:
        if isinstance(node, KeptHoleNode):
            continue
        conditions = node.conditions_nodelists if isinstance(node, IfNode) else []
        sources: list[Any] = [c for c, _ in conditions] if conditions else [node]
        for source in sources:
            paths |= {p for e in _expressions(source) for p in _names(e)}
        children = [nl for _, nl in conditions] + [
            getattr(node, name) for name in node.child_nodelists if getattr(node, name, None)
        ]
        for child in children:
            paths |= _paths_outside_holes(child, seen)
        if isinstance(node, IncludeNode):
            included = get_template(node.template.var).template  # type: ignore[union-attr, attr-defined]
            if id(included) not in seen:
                seen.add(id(included))
                paths |= _paths_outside_holes(included.nodelist, seen)
    return paths


_NESTED: dict[str, tuple[str, ...]] = {
    "thread": FrameThreadLook._fields,
    "live": LiveLook._fields,
    "actor": ModeratorLook._fields,
    "page": PageLook._fields,
}


def _in_look(path: tuple[str, ...]) -> bool:
    if path[0] != "d":
        return True
    if len(path) == 1:
        return False
    name = path[1]
    if name in _NESTED:
        return len(path) == 2 or path[2] in _NESTED[name]
    own = {f.name for f in fields(SectionFrameLook)}
    return name in own or isinstance(getattr(SectionFrameLook, name, None), property)


def test_section_html_reads_nothing_outside_its_holes_but_the_look() -> None:
    template = get_template(SECTION_TEMPLATE).template  # type: ignore[attr-defined]
    paths = _paths_outside_holes(template.nodelist, set())
    assert ("d", "thread", "pk") in paths and ("d", "count") in paths
    assert ("d", "more_fragment_url") in paths  # more.html, an include
    assert ("d", "groups") in paths and ("d", "live", "since") not in paths
    assert [".".join(p) for p in sorted(paths) if not _in_look(p)] == []


def test_the_look_and_the_section_agree_on_every_value_the_template_reads(
    busy: Thread,
) -> None:
    template = get_template(SECTION_TEMPLATE).template  # type: ignore[attr-defined]
    paths = [p for p in _paths_outside_holes(template.nodelist, set()) if p[0] == "d"]
    for user in (None, make_user(moderator=True)):
        for query in QUERIES:
            request = _request(user, None, query)
            section = build_section(request, busy)
            look = SectionFrameLook.of(section)
            for path in paths:
                if path == ("d", "sign_in_next") and not section.sign_in_required:
                    continue  # read only inside {% if d.sign_in_required %}
                values = []
                for root in (section, look):
                    value: Any = root
                    for name in path[1:]:
                        value = value[name] if isinstance(value, dict) else getattr(value, name)
                    values.append(value)
                shown = [bool(v) if path[1:] in (("groups",), ("live",)) else v for v in values]
                assert shown[0] == shown[1], (path, query)
