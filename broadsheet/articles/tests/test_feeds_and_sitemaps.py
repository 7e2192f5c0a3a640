"""Feeds, sitemaps and robots.txt parse as what they claim to be and list the right pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture
def two_sections(db: None) -> dict[str, object]:
    world, culture = make_section("World"), make_section("Culture")
    return {
        "world_story": make_article(
            section=world, title="Delta towns vote on levees", tags=["climate"]
        ),
        "culture_story": make_article(
            section=culture, title="Festival jury named", tags=["film festival"]
        ),
        "old_story": make_article(section=world, title="Old harbour history", days_ago=10),
    }


def test_the_site_rss_feed_lists_every_recent_article(client: Client, two_sections) -> None:
    response = client.get("/feed/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert set(titles) == {
        "Delta towns vote on levees",
        "Festival jury named",
        "Old harbour history",
    }
    assert titles[-1] == "Old harbour history"  # newest first
    first = channel.findall("item")[0]
    assert first.findtext("link", "").startswith(f"{django_settings.SITE_URL}/")
    assert first.findtext("description")
    assert first.findtext("pubDate")


def test_a_section_atom_feed_lists_only_that_section(client: Client, two_sections) -> None:
    response = client.get("/feed/world/atom/")
    feed = ET.fromstring(response.content)
    titles = {entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")}
    assert titles == {"Delta towns vote on levees", "Old harbour history"}
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None and entry.find(f"{ATOM}author") is not None
    assert {c.get("term") for c in feed.iter(f"{ATOM}category")} >= {"climate"}


def test_an_unknown_section_feed_is_404(client: Client, two_sections) -> None:
    assert client.get("/feed/nowhere/rss/").status_code == 404


def test_the_sitemap_lists_home_sections_and_articles(client: Client, two_sections) -> None:
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locations = {url.findtext(f"{SITEMAP}loc", "") for url in root.findall(f"{SITEMAP}url")}
    assert any(loc.endswith("/world/") for loc in locations)
    assert any("delta-towns-vote-on-levees" in loc for loc in locations)
    assert len(locations) == 1 + 2 + 3


def test_the_news_sitemap_lists_only_the_last_two_days(client: Client, two_sections) -> None:
    response = client.get("/news-sitemap.xml")
    root = ET.fromstring(response.content)
    titles = {url.findtext(f"{NEWS}news/{NEWS}title") for url in root.findall(f"{SITEMAP}url")}
    assert titles == {"Delta towns vote on levees", "Festival jury named"}
    publication = root.find(f"{SITEMAP}url/{NEWS}news/{NEWS}publication/{NEWS}name")
    assert publication is not None and publication.text


def test_robots_txt_points_at_both_sitemaps_and_keeps_crawlers_out_of_the_admin(
    client: Client, public_host: str
) -> None:
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: https://news.example.org/sitemap.xml" in text
    assert "Sitemap: https://news.example.org/news-sitemap.xml" in text


@pytest.fixture
def public_host(settings: Any) -> str:
    """SITE_URL differs from the host the request names and from the Wagtail Site's."""
    settings.SITE_URL = "https://news.example.org"
    return settings.SITE_URL


def test_every_address_the_publication_gives_out_is_on_site_url(
    client: Client, two_sections, public_host: str
) -> None:
    for path in ("/sitemap.xml", "/news-sitemap.xml", "/feed/rss/", "/feed/atom/"):
        body = client.get(path).content.decode()
        urls = re.findall(r"https?://[^\s<\"']+", body)
        namespaces = ("sitemaps.org", "google.com", "w3.org", "purl.org")
        ours = [u for u in urls if not any(ns in u for ns in namespaces)]
        assert ours, path
        assert all(u.startswith(public_host) for u in ours), (path, ours)


def test_feed_answers_with_the_site_rss_feed(client: Client, two_sections) -> None:
    response = client.get("/feed/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/feed/rss/", 301)]
    assert b"Delta towns vote on levees" in response.content
