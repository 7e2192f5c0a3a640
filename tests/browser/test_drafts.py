"""Drafts of comments (issue 14, point 8): what a reader types survives a reload until it is
posted, and a posted comment never comes back as a draft, however quickly it was posted.
A post that fails keeps the text and says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread

DRAFTS = "() => Object.keys(localStorage).filter((key) => key.startsWith('bs-draft:'))"


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 0
    return make_article(title="Room for the river")


def thread_id(article: ArticlePage) -> int:
    return Thread.objects.get(key=f"article-{article.pk}").pk


def fill_guest(form: Any, text: str) -> None:
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill(text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_comment_posted_before_the_autosave_fires_is_not_kept_as_a_draft(
    page: Page, live_server: Any, article: ArticlePage
) -> None:
    # The page's clock stands still, so the autosave (due 400 ms after the last key)
    # is still pending when the comment is posted: the race, every time.
    start = datetime.now(UTC)
    page.clock.install(time=start)
    page.goto(f"{live_server.url}{article.url}")
    page.clock.pause_at(start + timedelta(seconds=5))
    form = page.locator("#comment-form")
    fill_guest(form, "Posted at once.")
    form.get_by_role("button", name="Post comment").click()
    posted = page.locator("#discussion article.comment", has_text="Posted at once.")
    expect(posted).to_be_visible()
    assert Comment.objects.filter(body_source="Posted at once.").count() == 1

    # Time goes on past the autosave's delay: nothing is saved, the box stays empty...
    page.clock.run_for(2000)
    assert page.evaluate(DRAFTS) == []
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value("")
    # ...and on the next visit.
    page.reload()
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value("")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_unposted_draft_survives_a_reload(
    page: Page, live_server: Any, article: ArticlePage
) -> None:
    page.goto(f"{live_server.url}{article.url}")
    page.locator("#comment-form").get_by_label("Your comment").fill("Half a thought")
    # The autosave runs 400 ms after the last key (the page's CSP rules out wait_for_function).
    for _ in range(50):
        if page.evaluate(DRAFTS):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(DRAFTS) == [f"bs-draft:{thread_id(article)}-comment-form"]
    page.reload()
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value(
        "Half a thought"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_post_that_cannot_reach_the_server_keeps_the_text_and_says_so(
    page: Page, live_server: Any, article: ArticlePage
) -> None:
    page.goto(f"{live_server.url}{article.url}")
    # The connection drops: the request never reaches the server.
    page.route("**/post/", lambda route: route.abort("internetdisconnected"))
    form = page.locator("#comment-form")
    fill_guest(form, "Text I must not lose.")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_contain_text("could not be sent")
    expect(form.get_by_label("Your comment")).to_have_value("Text I must not lose.")
    assert not Comment.objects.exists()

    # Back online, the same button posts it, and the message goes away.
    page.unroute("**/post/")
    form.get_by_role("button", name="Post comment").click()
    expect(
        page.locator("#discussion article.comment", has_text="Text I must not lose.")
    ).to_be_visible()
    expect(page.locator("#comment-form").get_by_role("alert")).to_have_count(0)
