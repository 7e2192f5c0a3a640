"""The interface language: the publication's, or the reader's where it allows; right to
left for Arabic; never a cached page in another language (docs/languages.md)."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from broadsheet.articles.models import ArticlePage, PublicationSettings
from broadsheet.articles.testing import make_article, make_section
from broadsheet.core.tests.test_pagecache_wsgi import wsgi_get
from broadsheet.discussion.formatting import render_markdown

pytestmark = pytest.mark.django_db

HTML_TAG = re.compile(r"<html lang=\"([^\"]+)\" dir=\"(ltr|rtl)\">")
SWITCHER = re.compile(r'<a href="/language/([^/"]+)/\?next=[^"]*" hreflang="[^"]+" lang="[^"]+"')


@pytest.fixture
def article(db: None) -> ArticlePage:
    return make_article(section=make_section("World"), title="Port strike ends")


def words(language: str, english: str) -> str:
    with translation.override(language):
        return translation.gettext(english)


def html_tag(page: str) -> tuple[str, str]:
    found = HTML_TAG.search(page)
    assert found, page[:200]
    return found.group(1), found.group(2)


def test_accept_language_ar_gets_the_arabic_interface_right_to_left(
    client: Client, article: ArticlePage
) -> None:
    answer = client.get(article.url, headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.5"})
    page = answer.content.decode()
    assert html_tag(page) == ("ar", "rtl")
    joined = words("ar", "Join the discussion")
    assert joined != "Join the discussion"
    assert joined in page
    assert words("ar", "Search articles") in page
    assert "Join the discussion" not in page
    assert answer["Content-Language"] == "ar"
    assert {"accept-language", "cookie"} <= {
        part.strip().lower() for part in answer["Vary"].split(",")
    }
    # The switcher offers every language shipped, the current one marked.
    assert SWITCHER.findall(page) == ["en-gb", "ar", "es"]
    assert 'hreflang="ar" lang="ar" rel="nofollow" aria-current="true"' in page


def test_without_a_preference_the_page_is_in_the_publication_language(
    client: Client, article: ArticlePage, settings: object, without_page_cache: None
) -> None:
    # (A deploy that changes BROADSHEET_LANGUAGE is a new release for the page cache.)
    assert html_tag(client.get(article.url).content.decode()) == ("en-gb", "ltr")
    settings.BROADSHEET_LANGUAGE = "es"  # type: ignore[attr-defined]
    page = client.get(article.url).content.decode()
    assert html_tag(page) == ("es", "ltr")
    assert words("es", "Join the discussion") in page


def test_the_switcher_works_without_scripts_and_is_remembered(
    client: Client, article: ArticlePage
) -> None:
    chosen = client.get(f"/language/es/?next={article.url}")
    assert chosen.status_code == 302
    assert chosen["Location"] == article.url
    assert "no-store" in chosen["Cache-Control"]
    page = client.get(article.url, headers={"accept-language": "ar"}).content.decode()
    assert html_tag(page) == ("es", "ltr")


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_the_switcher_goes_back_only_to_a_page_of_this_site(client: Client, elsewhere: str) -> None:
    chosen = client.get("/language/ar/", {"next": elsewhere})
    assert (chosen.status_code, chosen["Location"]) == (302, "/")
    assert chosen.cookies["django_language"].value == "ar"


def test_the_switcher_knows_only_the_languages_shipped(client: Client) -> None:
    answer = client.get("/language/xx/?next=/")
    assert answer.status_code == 404
    assert "django_language" not in answer.cookies


def test_the_switcher_puts_no_csrf_token_on_the_page(
    client: Client, article: ArticlePage, without_page_cache: None
) -> None:
    # A token on every page would keep every cached page from Brotli (core.compression).
    home = client.get("/").content.decode()
    assert SWITCHER.findall(home) == ["en-gb", "ar", "es"]
    assert "csrfmiddlewaretoken" not in home


def test_a_publication_that_keeps_its_language_ignores_the_reader_and_offers_no_switcher(
    client: Client, article: ArticlePage
) -> None:
    publication = PublicationSettings.load()
    publication.language = "ar"
    publication.readers_choose_language = False
    publication.save()
    answer = client.get(article.url, headers={"accept-language": "es"})
    page = answer.content.decode()
    assert html_tag(page) == ("ar", "rtl")
    assert not SWITCHER.findall(page)
    assert "accept-language" not in answer.get("Vary", "").lower()
    # Changed back in the admin: the next page follows at once (the site scope moved).
    publication.readers_choose_language = True
    publication.save()
    assert html_tag(
        client.get(article.url, headers={"accept-language": "es"}).content.decode()
    ) == (
        "es",
        "ltr",
    )


def test_the_page_cache_never_serves_a_page_in_another_language(article: ArticlePage) -> None:
    _status, headers, arabic = wsgi_get(article.url, HTTP_ACCEPT_LANGUAGE="ar")
    assert headers["X-Page-Cache"] == "miss"
    assert html_tag(arabic.decode()) == ("ar", "rtl")
    _status, headers, spanish = wsgi_get(article.url, HTTP_ACCEPT_LANGUAGE="es-ES")
    assert headers["X-Page-Cache"] == "miss"
    assert html_tag(spanish.decode()) == ("es", "ltr")
    # Each language is a hit of its own, before Django runs, in its own language.
    _status, headers, again = wsgi_get(article.url, HTTP_ACCEPT_LANGUAGE="ar-SA,ar;q=0.8")
    assert headers["X-Page-Cache"] == "hit"
    assert html_tag(again.decode()) == ("ar", "rtl")
    _status, headers, english = wsgi_get(article.url)
    assert headers["X-Page-Cache"] == "miss"
    assert html_tag(english.decode()) == ("en-gb", "ltr")
    # The language cookie counts before the header, on a hit as on a miss.
    wsgi_get(article.url, cookie="django_language=es")
    _status, headers, chosen = wsgi_get(
        article.url, cookie="django_language=es", HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert headers["X-Page-Cache"] == "hit"
    assert html_tag(chosen.decode()) == ("es", "ltr")


def test_arabic_pages_load_the_script_catalogue_and_keep_the_policy_strict(
    client: Client, article: ArticlePage
) -> None:
    answer = client.get(article.url, headers={"accept-language": "ar"})
    page = answer.content.decode()
    found = re.search(r'<script src="(/jsi18n/ar\.js\?v=[0-9a-f]+)" defer></script>', page)
    assert found, "no catalogue script"
    assert "script-src 'self';" in answer["Content-Security-Policy"]
    catalogue = client.get(found.group(1))
    assert catalogue.status_code == 200
    assert catalogue["Content-Type"].startswith("text/javascript")
    body = catalogue.content.decode()
    assert "django.gettext" in body
    posted = DjangoTranslation("ar", domain="djangojs").gettext("Your comment was posted.")
    assert posted != "Your comment was posted."
    assert json.dumps(posted) in body
    assert "public, max-age=" in catalogue["Cache-Control"]
    assert client.get("/jsi18n/xx.js").status_code == 404
    # English pages need no catalogue: the scripts are written in English.
    assert "/jsi18n/" not in client.get(article.url).content.decode()


def test_counts_and_plurals_follow_the_language(client: Client, article: ArticlePage) -> None:
    page = client.get(article.url, headers={"accept-language": "ar"}).content.decode()
    with translation.override("ar"):
        zero = translation.npgettext("count of comments", "Comment", "Comments", 0)
    assert f'<span id="discussion-count">0</span> {zero}' in page
    with translation.override("ar"):
        forms = {
            translation.ngettext("%(shown)s comment", "%(shown)s comments", n)
            for n in (0, 1, 2, 3, 11, 100)
        }
    assert len(forms) == 6  # Arabic's six plural forms, each its own words


def test_e_mails_sent_by_tasks_are_in_the_publication_language(
    article: ArticlePage, settings: object
) -> None:
    from broadsheet.notifications.mail import confirmation_message

    settings.BROADSHEET_LANGUAGE = "ar"  # type: ignore[attr-defined]
    message = confirmation_message("reader@example.org")
    assert message.subject == words("ar", "Please confirm your e-mail notifications")
    assert message.subject != "Please confirm your e-mail notifications"
    html = message.alternatives[0][0]
    assert '<html lang="ar" dir="rtl">' in str(html)
    assert mail.outbox == []


def test_a_quote_takes_the_direction_of_its_own_text() -> None:
    arabic = render_markdown("> هذا اقتباس من المقال\n\nI disagree.")
    assert arabic.startswith('<blockquote dir="rtl">')
    english = render_markdown("هذا تعليق\n\n> the quoted sentence")
    assert '<blockquote dir="ltr">' in english
    assert '<p dir="auto">' in english
    # No strong character: no direction of its own (the comment's holds).
    assert render_markdown("> 42").startswith("<blockquote>")
