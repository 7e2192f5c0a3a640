"""Serving pages from remembered routes (articles/serving.py): the page Wagtail's routing
would find, in one query, forgotten whenever where a page lives or who may see it
changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from broadsheet.articles.models import ArticlePage, PublicationSettings, SectionPage
from broadsheet.articles.serving import page_serving
from broadsheet.articles.testing import make_article, make_section
from broadsheet.core.versions import scope_versions

pytestmark = pytest.mark.django_db

# What differs between any two renders: the reader's token, the live stream's start.
PER_RENDER = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+|data-live-since="[^"]*"')


@pytest.fixture
def story(db: None) -> ArticlePage:
    return make_article(section=make_section("World"), title="Harbour cranes return")


def routes() -> int:
    """How many routes this process remembers under the current `site` version."""
    return len(page_serving.remembered().routes)


def test_a_remembered_route_serves_the_same_page_as_wagtails_routing(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    page_serving.clear()
    routed = client.get(story.url)
    assert routes() == 1
    remembered = client.get(story.url)
    assert routed.status_code == remembered.status_code == 200
    assert PER_RENDER.sub("", routed.content.decode()) == PER_RENDER.sub(
        "", remembered.content.decode()
    )
    assert remembered.context["page"] == story
    assert remembered.context["page"].specific_class is ArticlePage


def test_a_remembered_route_costs_no_query_before_the_pages_own_code(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    client.get(story.url)
    with CaptureQueriesContext(connection) as remembered:
        client.get(story.url)
    page_serving.clear()
    with CaptureQueriesContext(connection) as routed:
        client.get(story.url)
    # Wagtail: the Site, per segment the child and its specific row, the restrictions
    # of the page and its ancestors; the settings row.
    assert len(remembered) <= len(routed) - 10
    tables = " ".join(query["sql"] for query in remembered.captured_queries)
    for table in ("wagtailcore_site", "wagtailcore_page", "wagtailcore_pageviewrestriction"):
        assert table not in tables
    assert "articles_publicationsettings" not in tables


@pytest.mark.parametrize("change", ["move", "unpublish", "delete", "rename", "restrict"])
def test_where_a_page_lives_or_who_may_see_it_bumps_the_site_and_forgets_every_route(
    client: Client, story: ArticlePage, change: str, without_page_cache: None
) -> None:
    culture = make_section("Culture")  # published (a bump) before the version is read
    client.get(story.url)
    assert routes() == 1
    before = scope_versions().read(["site"])
    if change == "move":
        story.move(culture, pos="last-child")
    elif change == "unpublish":
        story.unpublish()
    elif change == "delete":
        story.delete()
    elif change == "rename":
        story.slug = "cranes-return"
        story.save_revision().publish()
    else:
        PageViewRestriction.objects.create(page=story, restriction_type="login")
    assert scope_versions().read(["site"]) != before
    assert routes() == 0


def test_a_saved_site_bumps_the_site_and_forgets_every_route(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    client.get(story.url)
    site = Site.objects.get(is_default_site=True)
    before = scope_versions().read(["site"])
    site.site_name = "The Ledger"
    site.save()
    assert scope_versions().read(["site"]) != before
    assert routes() == 0


def test_a_moved_page_answers_at_its_new_address_only(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    old = story.url
    assert client.get(old).status_code == 200
    story.move(make_section("Culture"), pos="last-child")
    story.refresh_from_db()
    assert story.url != old
    moved = client.get(old)  # Wagtail's redirects app leaves a permanent redirect
    assert moved.status_code == 301 and moved["Location"] == story.url
    assert client.get(story.url).status_code == 200


def test_an_unpublished_or_deleted_page_is_gone_at_once(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    other = make_article(section=make_section("World"))
    assert client.get(story.url).status_code == client.get(other.url).status_code == 200
    story.unpublish()
    assert client.get(story.url).status_code == 404
    Page.objects.get(pk=other.pk).delete()
    assert client.get(other.url).status_code == 404


def test_nothing_is_remembered_longer_than_the_page_cache_keeps_a_page(
    client: Client, story: ArticlePage, settings: Any, without_page_cache: None
) -> None:
    """A change to a page's row that bumps nothing (a raw UPDATE) is served stale by the
    anonymous page cache and by remembered routes alike, and by neither once
    BROADSHEET_PAGE_CACHE_SECONDS have passed (here: none)."""
    client.get(story.url)
    Page.objects.filter(pk=story.pk).update(title="Cranes gone again")
    assert "Cranes gone again" not in client.get(story.url).content.decode()
    settings.BROADSHEET_PAGE_CACHE_SECONDS = 0
    assert "Cranes gone again" in client.get(story.url).content.decode()


def test_a_page_made_private_leaves_the_anonymous_page_cache_at_once(
    story: ArticlePage,
) -> None:
    Client().get(story.url)
    assert Client().get(story.url)["X-Page-Cache"] == "hit"
    PageViewRestriction.objects.create(page=story, restriction_type="login")
    answer = Client().get(story.url)
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_a_deleted_page_leaves_the_anonymous_page_cache_at_once(story: ArticlePage) -> None:
    Client().get(story.url)
    assert Client().get(story.url)["X-Page-Cache"] == "hit"
    Page.objects.get(pk=story.pk).delete()
    assert Client().get(story.url).status_code == 404


def test_each_request_gets_its_own_copy_of_the_site_and_the_settings(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    first = client.get(story.url).wsgi_request
    second = client.get(story.url).wsgi_request
    assert getattr(first, "_wagtail_site") == getattr(second, "_wagtail_site")  # noqa: B009
    assert getattr(first, "_wagtail_site") is not getattr(second, "_wagtail_site")  # noqa: B009
    attribute = PublicationSettings.get_cache_attr_name()
    assert getattr(first, attribute) is not getattr(second, attribute)


def test_edited_settings_show_on_the_next_page(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    client.get(story.url)
    publication = PublicationSettings.load()
    publication.name = "The Meridian Ledger"
    publication.save()
    assert "The Meridian Ledger" in client.get(story.url).content.decode()


def test_sections_and_the_front_page_are_served_from_remembered_routes(
    client: Client, story: ArticlePage, without_page_cache: None
) -> None:
    section = SectionPage.objects.get(slug="world")
    for url in ("/", section.url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        tables = " ".join(query["sql"] for query in queries.captured_queries)
        assert "wagtailcore_site" not in tables


def test_unknown_paths_are_not_remembered(client: Client, story: ArticlePage) -> None:
    assert client.get("/world/no-such-story/").status_code == 404
    assert routes() == 0


def test_this_projects_pages_are_routed_by_slugs_alone() -> None:
    """The room is on only where Wagtail routes every page type by slugs alone (a
    routable page would take arguments from the path)."""
    from broadsheet.articles.serving import _plain_routing

    assert _plain_routing()
