"""A reader in a real browser: from the home page to an opinion column, and a vote."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from broadsheet.articles.models import PublicationSettings
from broadsheet.articles.testing import make_article, make_author, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def publication(site_structure) -> dict[str, object]:
    world, opinion = make_section("World"), make_section("Opinion")
    columnist = make_author("Ines Okafor", bio="Writes on cities.")
    make_article(section=world, title="Harbour strike enters its third week", tags=["port strike"])
    column = make_article(
        section=opinion,
        title="The river is a neighbour, not an enemy",
        dek="Concrete walls move the flood downstream. We can do better.",
        authors=[columnist],
        tags=["climate"],
        is_opinion=True,
    )
    make_article(
        section=opinion, title="Why the library fight matters", tags=["climate"], is_opinion=True
    )
    return {"column": column, "world": world}


def test_a_reader_opens_an_opinion_column_from_the_home_page_and_votes(
    live_server, page: Page, publication
) -> None:
    settings = PublicationSettings.load()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="The river is a neighbour, not an enemy").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The river is a neighbour, not an enemy"
    )
    expect(page.locator(".article__section")).to_have_text("Opinion")
    expect(page.locator(".article__dek")).to_contain_text(
        "Concrete walls move the flood downstream"
    )
    expect(page.locator(".article__byline")).to_contain_text("Ines Okafor")
    expect(page.locator(".article__byline time").first).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-")
    )
    expect(page.locator(".quote blockquote")).to_contain_text("A quotation of a source.")
    expect(page.locator(".quote figcaption")).to_contain_text("A Source, spokesperson")
    expect(page.locator(".support-cta")).to_contain_text(settings.support_button_label)
    expect(page.locator(".opinion-disclaimer")).to_contain_text(settings.opinion_disclaimer)
    expect(page.locator(".related")).to_contain_text("Why the library fight matters")
    json_ld = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "{}")
    assert json_ld["headline"] == "The river is a neighbour, not an enemy"

    points = page.locator("[data-points]")
    expect(points).to_have_text("0")
    page.get_by_role("button", name="Upvote").click()
    expect(points).to_have_text("1")
    expect(page.get_by_role("button", name="Upvote")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Downvote").click()
    expect(points).to_have_text("-1")
    page.reload()
    expect(page.locator("[data-points]")).to_have_text("-1")
    expect(page.get_by_role("button", name="Downvote")).to_have_attribute("aria-pressed", "true")


def test_voting_works_without_javascript(live_server, browser, publication) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    column = publication["column"]
    page.goto(live_server.url + column.url)
    page.get_by_role("button", name="Upvote").click()
    page.wait_for_url("**#reactions")
    expect(page.locator("[data-points]")).to_have_text("1")
    context.close()


@pytest.mark.parametrize("where", ["home", "section", "article"])
def test_pages_have_no_accessibility_violations(
    live_server, browser, publication, axe_source: str, where: str
) -> None:
    url = {"home": "/", "section": publication["world"].url, "article": publication["column"].url}[
        where
    ]
    # Our CSP forbids inline scripts; the test context bypasses it to inject axe-core.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + url)
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]
    context.close()
    assert violations == []
