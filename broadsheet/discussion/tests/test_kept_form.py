"""The section's new-comment form, kept per look (rendering.render_form): for every reader,
sort, page and language its bytes are form.html's rendered with the whole section, cold
and warm, but for each request's own CSRF token and signed render time; a form someone
has typed into, with errors or with a remembered guest's details is never kept; and the
template reads nothing of the section outside FormLook."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.middleware.csrf import (  # type: ignore[attr-defined]  # _unmask_cipher_token
    _unmask_cipher_token,
    get_token,
)
from django.template.base import Node
from django.template.defaulttags import IfNode
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.test import Client, RequestFactory
from django.utils import translation

from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion.guests import GUEST_COOKIE
from broadsheet.discussion.models import Thread
from broadsheet.discussion.rendering import (
    FORM_TEMPLATE,
    ActorLook,
    FormLook,
    ThreadLook,
    kept_forms,
    render_form,
)
from broadsheet.discussion.section import FormState, build_section
from broadsheet.discussion.testing import guest, make_user, post, signed_reader_cookie
from broadsheet.discussion.tests.test_fragment_inputs import _expressions, _names
from broadsheet.moderation.rules.honeypot import _SALT, TIMESTAMP_FIELD

pytestmark = pytest.mark.django_db

RENDERED = re.compile(rf'name="{TIMESTAMP_FIELD}" value="([^"]*)"')
HOSTILE_NAME = "<script>alert('n')</script>\"&amp;"


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    kept_forms.clear()
    yield
    kept_forms.clear()


def _request(user: Any | None, reader: str | None, query: dict[str, str]) -> Any:
    request = RequestFactory().get("/world/a-story/", query)
    request.user = user or AnonymousUser()
    if reader:
        request.COOKIES[READER_COOKIE] = signed_reader_cookie(reader)
    return request


def without_render_time(markup: str) -> str:
    """The markup with each form's signed render time (a value of its second) taken out."""
    return RENDERED.sub(f'name="{TIMESTAMP_FIELD}" value=""', markup)


def _render_times(markup: str) -> tuple[str, list[int]]:
    """The markup with its signed render time taken out, and the times it held."""
    times = [int(signing.loads(v, salt=_SALT)) for v in RENDERED.findall(markup)]
    return without_render_time(markup), times


def _expected_and_kept(thread: Thread, request: Any) -> tuple[str, str, str]:
    """(form.html with the whole section, render_form cold, render_form warm), each with
    its render time checked and taken out."""
    section = build_section(request, thread)
    token = get_token(request)
    started = int(time.time())
    expected = get_template(FORM_TEMPLATE).render(
        {"d": section, "f": section.form, "csrf_token": token, "request": request}
    )
    cold = render_form(section, section.form, token)
    warm = render_form(section, section.form, token)
    out = []
    for markup in (expected, cold, warm):
        without, times = _render_times(markup)
        assert len(times) == 1 and started <= times[0] <= int(time.time())
        out.append(without)
    return out[0], out[1], out[2]


READERS = ["anonymous", "guest", "account", "hostile account"]
QUERIES = [{}, {"sort": "oldest"}, {"cpage": "2"}, {"sort": "top", "cpage": "2"}]


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
@pytest.mark.parametrize("who", READERS)
def test_the_kept_form_is_the_templates(thread: Thread, who: str, language: str) -> None:
    for n in range(3):
        post(thread, guest(f"reader-{n}"), f"Comment {n}")
    user = None
    if who == "account":
        user = make_user("rosa", name="Rosa Author")
    elif who == "hostile account":
        user = make_user("hostile", name=HOSTILE_NAME)
    reader = "gabriel" if who == "guest" else None
    with translation.override(language):
        for query in QUERIES:
            expected, cold, warm = _expected_and_kept(thread, _request(user, reader, query))
            assert cold == expected and warm == expected, (who, language, query)
    assert len(kept_forms) == len(QUERIES)  # each query is a look of its own (links, next)
    if who == "hostile account":
        assert "&lt;script&gt;" in expected and "<script>" not in expected


def test_each_request_gets_its_own_token_and_render_time(thread: Thread) -> None:
    first, second = _request(None, None, {}), _request(None, None, {})
    section = build_section(first, thread)
    a = render_form(section, section.form, get_token(first))
    time.sleep(1.05)
    b = render_form(build_section(second, thread), section.form, get_token(second))
    assert len(kept_forms) == 1
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', m)[0] for m in (a, b)]
    assert _unmask_cipher_token(tokens[0]) == _unmask_cipher_token(get_token(first))
    assert _unmask_cipher_token(tokens[1]) == _unmask_cipher_token(get_token(second))
    assert tokens[0] != tokens[1]
    (time_a,), (time_b,) = _render_times(a)[1], _render_times(b)[1]
    assert time_b > time_a  # signed when served, not when kept


def test_forms_with_a_readers_own_state_are_never_kept(thread: Thread) -> None:
    request = _request(None, "gabriel", {})
    section = build_section(request, thread)
    token = get_token(request)
    typed = FormState(data={"body": "<b>typed</b>", "name": "Gabriel"})
    errors = FormState(errors={"body": "Write something first."})
    for state in (typed, errors):
        html = render_form(section, state, token)
        assert "typed" in html or "Write something first." in html
    remembered = Client()
    remembered.cookies[GUEST_COOKIE] = signing.dumps(
        {"n": "Gabriel Remembered", "e": "g@example.org"}, salt="broadsheet.discussion.guest"
    )
    page = remembered.get(f"/discussion/t/{thread.pk}/").content.decode()
    assert "Gabriel Remembered" in page
    assert len(kept_forms) == 0


def test_a_readers_page_carries_the_kept_form(thread: Thread) -> None:
    client = Client()
    first = client.get(f"/discussion/t/{thread.pk}/", {"sort": "oldest"})
    second = client.get(f"/discussion/t/{thread.pk}/", {"sort": "oldest"})
    assert len(kept_forms) == 1
    for response in (first, second):
        section, token = response.context["d"], response.context["csrf_token"]
        expected = get_template(FORM_TEMPLATE).render(
            {"d": section, "f": section.form, "csrf_token": token}
        )
        page = response.content.decode()
        assert _render_times(expected)[0] in _render_times(page)[0]
        assert str(token) in page


def _d_paths(template: Any, seen: set[int] | None = None) -> set[tuple[str, ...]]:
    """Every variable path form.html and its includes read."""
    seen = seen if seen is not None else set()
    paths: set[tuple[str, ...]] = set()
    for node in template.nodelist.get_nodes_by_type(Node):
        sources = [c for c, _ in node.conditions_nodelists] if isinstance(node, IfNode) else [node]
        for source in sources:
            paths |= {p for e in _expressions(source) for p in _names(e)}
        if isinstance(node, IncludeNode):
            included = get_template(node.template.var).template  # type: ignore[union-attr, attr-defined]
            if id(included) not in seen:
                seen.add(id(included))
                paths |= _d_paths(included, seen)
    return paths


def _in_look(path: tuple[str, ...]) -> bool:
    if path[0] != "d":
        return True
    if len(path) == 1 or path[1] not in FormLook._fields:
        return False
    nested: dict[str, tuple[str, ...]] = {
        "thread": ThreadLook._fields,
        "actor": ActorLook._fields,
    }
    if path[1] in nested:
        return len(path) > 2 and path[2] in nested[path[1]]
    return True


def test_form_html_reads_nothing_of_the_section_outside_the_form_look() -> None:
    paths = _d_paths(get_template(FORM_TEMPLATE).template)  # type: ignore[attr-defined]
    assert ("d", "thread", "pk") in paths and ("d", "next_url") in paths
    assert [".".join(p) for p in sorted(paths) if not _in_look(p)] == []
    # The names a kept render does not have beside d, f and the CSRF token: the
    # template's own ({% with %}, {% include … with %}) and the preview view's error,
    # which only the preview view sets (it renders preview.html alone).
    roots = {p[0] for p in paths} - {"d", "f", "csrf_token"}
    assert roots <= {"fid", "errors", "a", "preview_error"}, roots


def test_a_section_key_outside_the_look_is_found() -> None:
    assert not _in_look(("d", "policy", "sort"))
    assert not _in_look(("d", "thread", "comment_count"))
    assert not _in_look(("d", "actor", "user"))
    assert _in_look(("d", "sign_in_next"))


def test_a_site_served_under_a_script_prefix_gets_its_own_addresses(thread: Thread) -> None:
    from django.urls import get_script_prefix, set_script_prefix

    request = _request(None, None, {})
    section = build_section(request, thread)
    token = get_token(request)
    plain = render_form(section, section.form, token)
    before = get_script_prefix()
    set_script_prefix("/news/")
    try:
        prefixed = render_form(section, section.form, token)
    finally:
        set_script_prefix(before)
    from django.urls import reverse

    assert f'action="{reverse("discussion:post", args=[thread.pk])}"' in plain
    assert 'action="/news/' in prefixed and 'action="/news/' not in plain
    assert len(kept_forms) == 2
