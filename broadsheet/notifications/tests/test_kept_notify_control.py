""" "Notify of…" in a discussion's section, kept per look ({% notify_control %}): for a
reader who can have no subscription its bytes are notify_control.html's rendered with the
whole context, cold and warm, with each request's own CSRF token; a signed-in reader, a
guest with a confirmed address and a control sent back with a message are rendered
afresh; and the templates read nothing outside ControlLook but what those cases bring."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import (  # type: ignore[attr-defined]  # _unmask_cipher_token
    _unmask_cipher_token,
    get_token,
)
from django.template import Context, Template
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from broadsheet.core.clients import SUBSCRIBER_COOKIE
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import make_user
from broadsheet.discussion.tests.test_kept_form import _d_paths
from broadsheet.notifications.actions import do_subscribe
from broadsheet.notifications.templatetags.notify_tags import (
    CONTROL_TEMPLATE,
    SENT_BACK,
    ControlLook,
    ThreadLook,
    kept_controls,
)

pytestmark = pytest.mark.django_db

TAG = Template("{% load notify_tags %}{% notify_control thread next_url signed_in %}")


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    kept_controls.clear()
    yield
    kept_controls.clear()


def _both(thread: Thread, request: Any, next_url: str, **extra: Any) -> tuple[str, str, str]:
    """(the include's markup, the tag's cold, the tag's warm)."""
    signed_in = request.user.is_authenticated
    context = {"request": request, "csrf_token": get_token(request), **extra}
    values = {"thread": thread, "next_url": next_url, "signed_in": signed_in}
    expected = get_template(CONTROL_TEMPLATE).render({**context, **values})
    cold = TAG.render(Context({**context, **values}))
    warm = TAG.render(Context({**context, **values}))
    return expected, cold, warm


def _request(user: Any = None, cookies: dict[str, str] | None = None) -> Any:
    request = RequestFactory().get("/world/a-story/")
    request.user = user or AnonymousUser()
    request.COOKIES.update(cookies or {})
    return request


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
def test_an_anonymous_readers_control_is_kept_and_is_the_templates(
    thread: Thread, language: str
) -> None:
    with translation.override(language):
        for next_url in ("/world/a-story/", "/world/a-story/?sort=top&cpage=2"):
            expected, cold, warm = _both(thread, _request(), next_url)
            assert cold == expected and warm == expected
    assert len(kept_controls) == 2
    first, second = _request(), _request()
    kept_a, kept_b = _both(thread, first, "/x/")[2], _both(thread, second, "/x/")[2]
    for request, markup in ((first, kept_a), (second, kept_b)):
        [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', markup)
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert kept_a != kept_b


def test_readers_who_may_have_subscriptions_are_rendered_afresh(
    thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    rosa = make_user("rosa", name="Rosa")
    with django_capture_on_commit_callbacks(execute=True):
        do_subscribe(thread=thread, kind="thread", user=rosa, email=rosa.email)
    expected, cold, warm = _both(thread, _request(rosa), "/x/")
    assert cold == expected == warm and "(subscribed)" in cold
    expected, cold, _ = _both(thread, _request(make_user("tomas", name="Tomas")), "/x/")
    assert cold == expected and "(subscribed)" not in cold
    sent_back = {"message": "Check your inbox.", "open": True}
    expected, cold, _ = _both(thread, _request(), "/x/", **sent_back)
    assert cold == expected and "Check your inbox." in cold
    assert len(kept_controls) == 0


def test_a_guest_with_a_confirmed_address_sees_it_filled_in(
    thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    from django.http import HttpResponse

    from broadsheet.notifications.subscriber import remember_confirmed_address

    response = remember_confirmed_address(HttpResponse(), "gabriel@example.org")
    cookie = response.cookies[SUBSCRIBER_COOKIE].value
    expected, cold, _ = _both(thread, _request(cookies={SUBSCRIBER_COOKIE: cookie}), "/x/")
    assert cold == expected and 'value="gabriel@example.org"' in cold
    assert len(kept_controls) == 0


def test_a_readers_page_carries_the_kept_control(thread: Thread) -> None:
    client = Client()
    for _ in range(2):
        response = client.get(reverse("discussion:thread", args=[thread.pk]))
        section, token = response.context["d"], response.context["csrf_token"]
        expected = get_template(CONTROL_TEMPLATE).render(
            {
                "thread": section.thread,
                "next_url": section.next_url,
                "signed_in": False,
                "csrf_token": token,
            }
        )
        assert expected in response.content.decode()
    assert len(kept_controls) == 1


def test_the_control_reads_nothing_outside_its_look_but_what_keeps_it_from_being_kept() -> None:
    paths = _d_paths(get_template(CONTROL_TEMPLATE).template)  # type: ignore[attr-defined]
    # ("thread",): what notify_state is given; with no request in a kept render it reads
    # nothing of it.
    look = {("thread",), ("thread", "pk"), ("next_url",), ("signed_in",), ("csrf_token",)}
    assert set(ControlLook._fields) == {"thread", "next_url"} and ThreadLook._fields == ("pk",)
    # state: notify_state's answer (nothing without a subscriber); sub: its subscriptions;
    # user: the request's (signed in: never kept); SENT_BACK: a notify view's own render.
    not_kept = {"state", "sub", "user", *SENT_BACK}
    outside = sorted(".".join(p) for p in paths if p not in look and p[0] not in not_kept)
    assert outside == []


def test_a_site_served_under_a_script_prefix_gets_its_own_addresses(thread: Thread) -> None:
    from django.urls import get_script_prefix, set_script_prefix

    plain = _both(thread, _request(), "/x/")[1]
    before = get_script_prefix()
    set_script_prefix("/news/")
    try:
        prefixed = _both(thread, _request(), "/x/")[1]
    finally:
        set_script_prefix(before)
    assert 'action="/news/notify/' in prefixed and 'action="/news/' not in plain
    assert len(kept_controls) == 2
