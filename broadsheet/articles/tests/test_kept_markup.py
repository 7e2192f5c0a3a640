"""The article page's kept markup (core/kept_markup.py): the page is byte for byte
what it is without it, in English, Spanish and Arabic, and an edit shows at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from broadsheet.articles.models import ArticlePage, Author, PublicationSettings
from broadsheet.articles.tests.test_flat_translations import render
from broadsheet.core.kept_markup import kept_parts
from broadsheet.discussion.testing import guest, make_thread, post

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
    # meta, header, foot, related; base.html: head, masthead (twice), footer
    assert len(kept_parts) == 8
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
    assert len(kept_parts) == 8 * len(LANGUAGES)
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
