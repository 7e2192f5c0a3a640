"""Two readers of one discussion, on the real server of `make demo` (granian's WSGI
interface, two worker processes holding pages and streams, events through the database
or PostgreSQL): one posts and votes, the other sees it live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, post
from tests import servers
from tests.servers import free_ports


@pytest.fixture
def live_site(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    port = free_ports(1)[0]
    with servers.site(tmp_path, port) as url:
        yield url


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    return make_article(title="Room for the river")


@pytest.mark.browser
def test_a_second_reader_sees_a_new_comment_and_a_vote_live(
    browser: Browser, live_site: str, article: ArticlePage
) -> None:
    thread = Thread.objects.create(key=f"article-{article.pk}", title=article.title, url="")
    first = post(thread, guest("layla"), "The flood plain is a commons.", name="Layla")
    url = f"{live_site}{article.url}"

    writer = browser.new_context().new_page()
    reader = browser.new_context().new_page()
    for page in (writer, reader):
        page.goto(url)
        expect(page.locator("#discussion")).to_have_attribute("data-live-state", "open")
    layla = reader.locator(f"#comment-{first.pk}")
    before = layla.bounding_box()

    # The writer posts through the page's own form.
    form = writer.locator("#comment-form")
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("Room for the river, and for the farmers.")
    form.get_by_role("button", name="Post comment").click()
    expect(writer.locator("article.comment", has_text="and for the farmers")).to_be_visible()

    # The reader is offered it; the text being read has not moved; it is announced.
    bubble = reader.get_by_role("button", name="1 new comment — show")
    expect(bubble).to_be_visible(timeout=10_000)
    expect(reader.locator("#discussion-count")).to_have_text("2")
    assert layla.bounding_box() == before
    expect(reader.locator("#discussion-status")).to_have_text("1 new comment.")
    expect(reader.locator("article.comment", has_text="and for the farmers")).to_have_count(0)

    # Shown on request, in place, and focused for screen readers.
    bubble.click()
    new = reader.locator("article.comment", has_text="and for the farmers")
    expect(new).to_be_visible()
    expect(new).to_be_focused()
    expect(reader.locator("#discussion-status")).to_have_text("1 new comment shown.")
    expect(bubble).to_be_hidden()

    # The reader upvotes it; the writer sees the score change without reloading.
    new.get_by_role("button", name="Upvote").click()
    writer_score = writer.locator("article.comment", has_text="and for the farmers")
    expect(writer_score.locator("[data-score]")).to_have_text("1", timeout=10_000)
