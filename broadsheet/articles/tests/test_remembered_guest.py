"""A guest who asks to be remembered finds their name and e-mail in the comment form next
time, without JavaScript, and the page that shows them never reaches anyone else through
the anonymous page cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article, make_section
from broadsheet.core.clients import GUEST_COOKIE
from broadsheet.discussion.models import Thread

pytestmark = pytest.mark.django_db

NAME_FIELD = 'name="name" value="Gabriel Okafor"'
EMAIL_FIELD = 'name="email" value="gabriel@example.org"'


@pytest.fixture
def article(db: None) -> ArticlePage:
    return make_article(section=make_section("World"), title="Port strike ends")


def post_as_guest(client: Client, article: ArticlePage, *, remember: bool, body: str) -> Any:
    client.get(article.url)  # registers the discussion
    thread = Thread.objects.get(key=article.thread_key)
    data = {"body": body, "name": "Gabriel Okafor", "email": "gabriel@example.org"}
    if remember:
        data["remember"] = "1"
    return client.post(f"/discussion/t/{thread.pk}/post/", {**data, "next": article.url})


def test_a_guest_who_ticks_remember_finds_their_details_filled_in(article: ArticlePage) -> None:
    gabriel = Client()
    answer = post_as_guest(gabriel, article, remember=True, body="First thoughts.")
    assert answer.status_code == 302
    assert answer.cookies[GUEST_COOKIE]["httponly"]
    html = gabriel.get(article.url).content.decode()
    assert NAME_FIELD in html and EMAIL_FIELD in html
    assert " checked> Remember me on this device</label>" in html


def test_nothing_is_remembered_unless_asked_and_unticking_forgets(article: ArticlePage) -> None:
    gabriel = Client()
    answer = post_as_guest(gabriel, article, remember=False, body="No cookie for me.")
    assert GUEST_COOKIE not in answer.cookies
    assert NAME_FIELD not in gabriel.get(article.url).content.decode()

    post_as_guest(gabriel, article, remember=True, body="Remember me now.")
    assert NAME_FIELD in gabriel.get(article.url).content.decode()
    post_as_guest(gabriel, article, remember=False, body="A shared computer: forget me.")
    assert gabriel.cookies[GUEST_COOKIE].value == ""
    assert NAME_FIELD not in gabriel.get(article.url).content.decode()


def test_a_remembered_guest_is_never_served_from_nor_stored_in_the_page_cache(
    article: ArticlePage,
) -> None:
    gabriel = Client()
    post_as_guest(gabriel, article, remember=True, body="Hello.")
    # Only the remembered-guest cookie, none of the others that also mark a reader.
    cookie = gabriel.cookies[GUEST_COOKIE].value
    returning = Client()
    returning.cookies[GUEST_COOKIE] = cookie
    Client().get(article.url)  # a stranger fills the cache
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
    page = returning.get(article.url)
    assert "X-Page-Cache" not in page
    assert EMAIL_FIELD in page.content.decode()
    stranger = Client().get(article.url)
    assert "gabriel@example.org" not in stranger.content.decode()


def test_a_forged_cookie_fills_nothing_in(article: ArticlePage) -> None:
    forger = Client()
    forger.cookies[GUEST_COOKIE] = "eyJuIjoiTWF4IiwiZSI6Im1heEBleGFtcGxlLm9yZyJ9:forged"
    html = forger.get(article.url).content.decode()
    assert 'name="name" value=""' in html
