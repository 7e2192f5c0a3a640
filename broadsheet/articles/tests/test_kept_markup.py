"""The article page's kept markup (core/kept_markup.py): the page is byte for byte
what it is without it, in English, Spanish and Arabic, for each reader with their own
reaction, discussion, CSRF token and address in its holes; and an edit shows at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.middleware.csrf import (  # type: ignore[attr-defined]  # _unmask_cipher_token
    _unmask_cipher_token,
)
from django.test import Client
from django.urls import reverse

from broadsheet.articles.models import ArticlePage, Author, PublicationSettings
from broadsheet.articles.tests.test_flat_translations import PER_REQUEST, render
from broadsheet.core.kept_markup import kept_parts
from broadsheet.discussion.testing import guest, make_thread, make_user, post

pytestmark = pytest.mark.django_db

LANGUAGES = ["en-gb", "es", "ar"]


@pytest.fixture
def kept(settings: Any) -> Iterator[Callable[[bool], None]]:
    """kept(False): nothing can be kept (a budget of one byte), kept(True): the default."""

    def switch(on: bool) -> None:
        settings.BROADSHEET_KEPT_MARKUP_BYTES = 2 * 1024 * 1024 if on else 1
        kept_parts.clear()

    switch(True)
    yield switch
    kept_parts.clear()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_is_the_same_with_and_without_kept_markup(
    language: str, column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    cold = render(column.url, language)
    # One part: the whole page, base.html and all, with its holes.
    assert len(kept_parts) == 1
    warm = render(column.url, language)
    kept(False)
    plain = render(column.url, language)
    assert len(kept_parts) == 0
    assert cold == warm == plain
    assert f'<html lang="{language}"' in warm
    assert "The views of the writers are their own." in warm
    assert warm.count('rel="author"') == 3 and warm.count('rel="tag"') == 3
    assert "Rivers and flood plans" in warm and 'property="article:tag"' in warm


def test_each_language_has_markup_of_its_own(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    pages = {language: render(column.url, language) for language in LANGUAGES}
    assert len(kept_parts) == len(LANGUAGES)
    again = {language: render(column.url, language) for language in LANGUAGES}
    assert pages == again
    assert len(set(pages.values())) == len(LANGUAGES)


def test_a_new_revision_published_shows_at_once(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    assert "Our river deserves better than flood walls" in render(column.url, "en-gb")
    column.title = "Our river deserves better than concrete"
    column.tags.add("floods")
    column.save_revision().publish()
    page = render(column.url, "en-gb")
    assert "Our river deserves better than concrete" in page
    assert "flood walls</h1>" not in page
    assert ">floods</a>" in page and 'content="floods"' in page


def test_a_changed_publication_setting_shows_at_once(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    assert "The views of the writers are their own." in render(column.url, "es")
    publication = PublicationSettings.load()
    publication.opinion_disclaimer = "Opinions are the columnists' alone."
    publication.save()
    page = render(column.url, "es")
    assert "Opinions are the columnists&#x27; alone." in page
    assert "The views of the writers are their own." not in page


def test_an_author_renamed_shows_at_once(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    assert ">Li Wei</a>" in render(column.url, "ar")
    author = Author.objects.get(name="Li Wei")
    author.name = "Li Wei-Chen"
    author.save()
    assert ">Li Wei-Chen</a>" in render(column.url, "ar")


def test_a_related_cards_comment_count_shows_at_once(
    column: ArticlePage,
    related: ArticlePage,
    without_page_cache: None,
    kept: Callable[[bool], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    card = f'href="{related.url}#discussion">'
    assert f"{card}0 comments</a>" in render(column.url, "en-gb")
    thread = make_thread(key=related.thread_key, title=related.title, url=related.url)
    with django_capture_on_commit_callbacks(execute=True):
        post(thread, guest(), "A first thought.")
    assert f"{card}1 comment</a>" in render(column.url, "en-gb")


def test_a_preview_keeps_nothing(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    column.title = "A headline only the editor sees"
    answer = column.make_preview_request()
    if hasattr(answer, "render"):
        answer.render()
    assert "A headline only the editor sees" in answer.content.decode()
    assert len(kept_parts) == 0
    assert "A headline only the editor sees" not in render(column.url, "en-gb")


def test_pages_without_a_key_keep_nothing(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    for url in ["/", column.get_parent().url, "/search/?q=river"]:
        assert Client().get(url).status_code == 200
    assert len(kept_parts) == 0
    # The search box shows what was asked for (outside every kept part).
    assert 'value="river"' in Client().get("/search/?q=river").content.decode()


def _tokens(page: str) -> set[str]:
    """The CSRF secrets of a page's tokens (each token masks its reader's secret afresh)."""
    found = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page)
    return {_unmask_cipher_token(token) for token in found}


def _without_per_request_values(page: str) -> str:
    for pattern, stand_in in PER_REQUEST:
        page = pattern.sub(stand_in, page)
    return page


def test_each_reader_gets_their_own_holes_in_the_kept_page(
    column: ArticlePage, without_page_cache: None, kept: Callable[[bool], None]
) -> None:
    publication = PublicationSettings.load()
    publication.readers_choose_language = True
    publication.save()
    thread = make_thread(key=column.thread_key, title=column.title, url=column.url)
    post(thread, guest(), "A first thought.")
    anonymous = Client()
    first = anonymous.get(f"{column.url}?sort=newest").content.decode()
    assert len(kept_parts) == 1
    reader = Client()
    reader.force_login(make_user("reader", name="Amara Diallo"))
    reacted = reader.post(reverse("articles:react", args=[column.pk]), {"value": "up"})
    assert reacted.status_code < 400
    kept_page = reader.get(f"{column.url}?sort=oldest").content.decode()
    again = anonymous.get(f"{column.url}?sort=newest").content.decode()
    assert len(kept_parts) == 1  # the reader's page came from the part the first one kept
    # The reader's own: their reaction, "Commenting as", the address of their language links.
    assert kept_page.count('aria-pressed="true"') == 1 and 'aria-pressed="true"' not in again
    assert "Amara Diallo" in kept_page and "Amara Diallo" not in again
    assert "sort%3Doldest" in kept_page and "sort%3Doldest" not in again
    assert "sort%3Dnewest" in again and "A first thought." in kept_page
    # Each reader's tokens are theirs.
    reader_secret = reader.cookies["csrftoken"].value  # the secret itself
    anonymous_secret = anonymous.cookies["csrftoken"].value
    assert _tokens(kept_page) == {reader_secret} and _tokens(again) == {anonymous_secret}
    assert reader_secret != anonymous_secret
    # Byte for byte what the reader gets with nothing kept.
    kept(False)
    plain = reader.get(f"{column.url}?sort=oldest").content.decode()
    assert len(kept_parts) == 0
    assert _without_per_request_values(kept_page) == _without_per_request_values(plain)
    assert _without_per_request_values(first) == _without_per_request_values(again)
