"""Each script on the pages that use it, deferred, with what it needs to know from the page
(the CSRF cookie's name, the comments API's address) in data attributes the same for every
reader: no inline script, nothing per reader in a page the page cache shares."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def scripts(html: str) -> dict[str, str]:
    """Our scripts by file name, each with its attributes; fails on any inline script."""
    found = {}
    for attributes, body in SCRIPT.findall(html):
        if 'type="application/ld+json"' in attributes:
            continue
        assert not body.strip(), f"inline script: {body[:80]}"
        src = re.search(
            r'src="/static/(?:js|vendor)/([a-z.]+?)(?:\.[0-9a-f]{12})?\.js"', attributes
        )
        assert src, attributes
        assert " defer" in attributes, attributes
        found[src.group(1)] = attributes
    return found


def test_pages_without_comments_load_neither_discussion_nor_inline_js(
    client: Client, settings: object
) -> None:
    make_article(section=make_section("World"))
    for url in ["/", "/world/", "/search/?q=river"]:
        page = scripts(client.get(url).content.decode())
        assert set(page) == {"htmx.min", "broadsheet"}, (url, page)


def test_an_article_loads_the_discussion_and_inline_scripts_with_their_settings(
    client: Client, settings: object
) -> None:
    settings.CSRF_COOKIE_NAME = "newsroom_csrf"  # type: ignore[attr-defined]
    article = make_article(section=make_section("World"))
    page = scripts(client.get(article.url).content.decode())
    # live.js too: the article's discussion is new, so it goes live (docs/realtime.md).
    assert set(page) == {"htmx.min", "broadsheet", "discussion", "inline", "live"}
    assert 'data-live-url="/live/t/' in client.get(article.url).content.decode()
    assert 'data-csrf-cookie="newsroom_csrf"' in page["broadsheet"]
    assert 'data-comment-url="/api/v1/comments/0"' in page["inline"]
