"""The pages of the publication: what they show and how many queries they cost."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.articles.models import ArticlePage, PublicationSettings
from broadsheet.articles.testing import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


class JsonLdExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks.append(data)


def test_an_opinion_article_shows_every_element_of_the_page(
    client: Client, opinion_column: ArticlePage
) -> None:
    html = client.get(opinion_column.url).content.decode()
    publication = PublicationSettings.load()
    assert "Opinion" in html
    assert "<h1" in html and "Our river deserves better than concrete" in html
    assert "The flood plan treats the river as an enemy" in html  # dek
    assert 'rel="author"' in html and "Ines Okafor" in html
    assert "<time datetime=" in html
    assert "A quotation of a source." in html and "A Source, spokesperson" in html
    assert 'href="https://example.org/"' in html
    assert publication.support_button_label in html and publication.support_url in html
    assert publication.opinion_disclaimer in html
    assert "What do you think?" in html and "Upvote" in html and "Downvote" in html
    assert re.search(r"<strong data-points>0</strong>", html)


def test_a_news_article_has_no_opinion_disclaimer(client: Client, world) -> None:
    article = make_article(section=world)
    html = client.get(article.url).content.decode()
    assert PublicationSettings.load().opinion_disclaimer not in html


def test_the_disclaimer_and_call_to_action_are_editable_settings(
    client: Client, opinion_column: ArticlePage
) -> None:
    publication = PublicationSettings.load()
    publication.opinion_disclaimer = "Columnists speak for themselves."
    publication.support_button_label = "Become a member"
    publication.support_url = "https://members.example.org/join"
    publication.save()
    html = client.get(opinion_column.url).content.decode()
    assert "Columnists speak for themselves." in html
    assert "Become a member" in html and "https://members.example.org/join" in html


def test_the_article_carries_news_article_json_ld(
    client: Client, opinion_column: ArticlePage
) -> None:
    parser = JsonLdExtractor()
    parser.feed(client.get(opinion_column.url).content.decode())
    (block,) = parser.blocks
    data = json.loads(block)
    assert "NewsArticle" in data["@type"]
    assert data["headline"] == opinion_column.title
    assert data["description"] == opinion_column.dek
    assert data["articleSection"] == "Opinion"
    assert [a["name"] for a in data["author"]] == ["Ines Okafor"]
    assert data["datePublished"].startswith(str(opinion_column.first_published_at.date()))
    assert data["publisher"]["name"] == PublicationSettings.load().name
    assert "dateModified" in data


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client: Client, world) -> None:
    article = make_article(section=world, title="Ends </script><script>alert(1)</script>")
    html = client.get(article.url).content.decode()
    assert "</script><script>alert(1)" not in html


def test_social_cards_and_canonical_url(
    client: Client, opinion_column: ArticlePage, settings: Any
) -> None:
    settings.SITE_URL = "https://news.example.org"
    html = client.get(opinion_column.url).content.decode()
    public = f"https://news.example.org{opinion_column.url}"
    assert f'<link rel="canonical" href="{public}">' in html
    assert f'<meta property="og:url" content="{public}">' in html
    assert f'"mainEntityOfPage": "{public}"' in html
    assert "localhost" not in html and "testserver" not in html
    assert '<meta property="og:title" content="Our river deserves better than concrete">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'name="twitter:card"' in html


def test_the_front_page_lead_is_the_editors_choice_until_they_unpin_it(client: Client) -> None:
    from broadsheet.articles.models import HomePage

    pinned = make_article(title="The story the editors chose", days_ago=1)
    home = HomePage.objects.get()
    home.lead_article = pinned
    home.save_revision().publish()
    make_article(title="A newer brief, published after")

    def lead_story() -> str:
        html = client.get("/").content.decode()
        start = html.index('class="lead-story"')
        return html[start : html.index("</section>", start)]

    assert "The story the editors chose" in lead_story()
    assert "A newer brief" not in lead_story()

    home.lead_article = None
    home.save_revision().publish()
    assert "A newer brief, published after" in lead_story()  # the newest, as a fallback


def test_home_lists_latest_articles_and_a_rail_per_section(client: Client) -> None:
    world, culture = make_section("World"), make_section("Culture")
    first = make_article(section=world, title="Harbour strike ends", days_ago=2)
    second = make_article(section=culture, title="Film festival opens", days_ago=1)
    html = client.get("/").content.decode()
    assert "Film festival opens" in html and "Harbour strike ends" in html
    assert html.index("Film festival opens") < html.index("Harbour strike ends")
    assert 'id="rail-world"' in html and 'id="rail-culture"' in html
    assert first.url in html and second.url in html


def test_section_tag_and_author_pages_list_their_articles(client: Client) -> None:
    world, economy = make_section("World"), make_section("Economy")
    writer = make_author("Tomasz Wren")
    in_world = make_article(
        section=world, title="Floods in the delta", tags=["climate"], authors=[writer]
    )
    elsewhere = make_article(section=economy, title="Rates held", tags=["central bank"])
    section_html = client.get(world.url).content.decode()
    assert in_world.title in section_html and elsewhere.title not in section_html
    tag_html = client.get("/tags/climate/").content.decode()
    assert in_world.title in tag_html and elsewhere.title not in tag_html
    author_html = client.get(writer.get_absolute_url()).content.decode()
    assert in_world.title in author_html and elsewhere.title not in author_html


def test_listings_paginate(client: Client, settings) -> None:
    settings.BROADSHEET_LISTING_PAGE_SIZE = 3
    world = make_section("World")
    for n in range(7):
        make_article(section=world, title=f"Story {n}", days_ago=n)
    page_one = client.get(world.url).content.decode()
    page_three = client.get(world.url + "?page=3").content.decode()
    assert "Story 0" in page_one and "Story 6" not in page_one
    assert "Story 6" in page_three and 'rel="prev"' in page_three


def test_search_words_are_found_whatever_quotes_or_operators_surround_them(
    client: Client,
) -> None:
    make_article(section=make_section("World"), title="Port workers walk out over automation")
    for query in ('"automation', 'automation"', "(automation", "automation*", 'a"b OR ^c:'):
        answer = client.get("/search/", {"q": query})
        assert answer.status_code == 200, query
    assert "Port workers" in client.get("/search/", {"q": '"automation'}).content.decode()


def test_search_finds_articles_by_their_words(client: Client) -> None:
    world = make_section("World")
    make_article(section=world, title="Port workers walk out over automation")
    make_article(section=world, title="Library budget restored")
    html = client.get("/search/", {"q": "automation"}).content.decode()
    assert "Port workers walk out over automation" in html
    assert "Library budget restored" not in html


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (settings, navigation, site root paths)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_listing_pages_cost_the_same_queries_for_3_or_15_articles(
    client: Client, without_page_cache: None
) -> None:
    world, culture = make_section("World"), make_section("Culture")
    counts: dict[str, list[int]] = {"/": [], "/world/": [], "/tags/t/": []}
    for size in (3, 15):
        while ArticlePage.objects.count() < size:
            make_article(section=world if ArticlePage.objects.count() % 2 else culture, tags=["t"])
        for url, seen in counts.items():
            seen.append(queries_for(client, url))
    assert counts["/"][0] == counts["/"][1] <= 24
    assert counts["/world/"][0] == counts["/world/"][1] <= 13
    assert counts["/tags/t/"][0] == counts["/tags/t/"][1] <= 12


def test_article_page_query_count_does_not_grow_with_tags_or_authors(
    client: Client, django_assert_max_num_queries, without_page_cache: None
) -> None:
    from broadsheet.articles.selectors import page_parts

    world = make_section("World")
    authors = [make_author(f"Writer {n}") for n in range(4)]
    article = make_article(section=world, authors=authors, tags=[f"tag {n}" for n in range(6)])
    for n in range(6):
        make_article(section=world, tags=[f"tag {n}"])
    client.get(article.url)
    page_parts.clear()  # the worst case: the page's shared parts are not kept yet
    with django_assert_max_num_queries(13):
        assert client.get(article.url).status_code == 200


def test_healthz_answers_ok_with_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_every_public_page_sends_a_strict_content_security_policy(
    client: Client, opinion_column
) -> None:
    policy = client.get(opinion_column.url)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_listings_show_comment_counts_and_the_most_discussed_rail(client: Client) -> None:
    from broadsheet.discussion.testing import guest, make_thread, post

    world = make_section("World")
    quiet = make_article(section=world, title="Quiet story")
    busy = make_article(section=world, title="Busy story")
    thread = make_thread(busy.thread_key, title=busy.title, url=busy.url or "")
    for n in range(3):
        post(thread, guest(f"reader-{n}", ip_hash=f"ip-{n}"), f"Comment number {n}")
    section_html = client.get(world.url).content.decode()
    assert "3 comments" in section_html and "0 comments" in section_html
    home = client.get("/").content.decode()
    rail = home[home.index('id="discussed-heading"') :]
    assert "Busy story" in rail.split("</section>")[0]
    assert "Quiet story" not in rail.split("</section>")[0]
    assert quiet.title in home


def test_article_page_parts_are_kept_until_the_site_or_listings_move_on(
    client: Client, django_assert_max_num_queries, without_page_cache: None
) -> None:
    from broadsheet.articles.selectors import page_parts

    world = make_section("World")
    article = make_article(section=world, tags=["river"])
    make_article(section=world, tags=["river"])
    client.get(article.url)
    page_parts.clear()
    with CaptureQueriesContext(connection) as missed:
        client.get(article.url)
    with CaptureQueriesContext(connection) as kept:
        client.get(article.url)
    assert len(kept) <= len(missed) - 8  # 13 -> 3 on SQLite
    # The tally, the thread, the page of comments (routing: articles/serving.py).
    with django_assert_max_num_queries(3):
        client.get(article.url)


def test_an_edited_author_shows_on_their_articles_at_once(client: Client) -> None:
    writer = make_author("Tomasz Wren")
    article = make_article(section=make_section("World"), authors=[writer])
    assert "Tomasz Wren" in client.get(article.url).content.decode()
    writer.name = "Tomasz Wrenn-Ito"
    writer.save()
    assert "Tomasz Wrenn-Ito" in client.get(article.url).content.decode()


def test_tags_and_sections_in_other_scripts_have_pages(client: Client) -> None:
    # taggit and Wagtail keep letters of every script in slugs (an imported WordPress
    # site's tag "content-περιεχόμενο"); the pages that link them answered 500.
    from django.urls import reverse

    section = make_section("Πολιτική")
    article = make_article(section=section, title="Greek tags", tags=["περιεχόμενο", "Café"])
    page = client.get(article.url)
    assert page.status_code == 200
    for name in ("περιεχόμενο", "Café"):
        tag = article.tags.get(name=name)
        url = reverse("articles:tag", args=[tag.slug])
        assert url in page.content.decode()
        listing = client.get(url)
        assert listing.status_code == 200 and "Greek tags" in listing.content.decode()
    assert client.get(section.url).status_code == 200
    feed = reverse("articles:section-feed-rss", args=[section.slug])
    assert client.get(feed).status_code == 200
