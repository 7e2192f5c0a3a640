"""Reporting a comment stays on the article (issue 14, point 9): with JavaScript the report
form opens and answers under the comment; without it, the report page still works. And
posting logs no htmx error in the console."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.moderation.models import Report

THANKS = "Thank you. A moderator will look at this comment."


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 0
    return make_article(title="Room for the river")


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    return Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def report(comment: Any, page: Page, note: str) -> None:
    comment.get_by_role("link", name="Report").click()
    comment.get_by_label("Abusive or hateful").check()
    comment.get_by_label("Anything moderators should know?").fill(note)
    comment.get_by_role("button", name="Send report").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_reports_a_comment_without_leaving_the_article(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    target = post(thread, member(make_user("rosa", name="Rosa Lindqvist")), "You are all fools.")
    url = f"{live_server.url}{article.url}"
    page.goto(url)
    # A mark on this very document: a full-page answer would drop it.
    page.evaluate("() => { document.documentElement.dataset.stayed = 'yes'; }")
    comment = page.locator(f"#comment-{target.pk}")
    report(comment, page, "Name-calling.")

    expect(comment.get_by_text(THANKS)).to_be_visible()
    expect(page).to_have_url(url)
    expect(page.locator("html")).to_have_attribute("data-stayed", "yes")
    stored = Report.objects.get()
    assert (stored.comment_id, stored.reason, stored.note) == (target.pk, "abuse", "Name-calling.")

    # Reporting it again is refused, and the refusal is shown in place too.
    report(comment, page, "Again.")
    expect(comment.get_by_role("alert")).to_contain_text("You already reported this comment")
    expect(page.locator("html")).to_have_attribute("data-stayed", "yes")
    assert Report.objects.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reporting_works_without_javascript(
    no_js_page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    page = no_js_page
    target = post(thread, member(make_user("rosa", name="Rosa Lindqvist")), "You are all fools.")
    page.goto(f"{live_server.url}{article.url}")
    page.locator(f"#comment-{target.pk}").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name="Report a comment")).to_be_visible()
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text(THANKS)).to_be_visible()
    assert Report.objects.get().reason == "spam"
    page.get_by_role("link", name="Back to the discussion").click()
    expect(page.locator(f"#comment-{target.pk}")).to_be_visible()


def send(page: Page, text: str) -> None:
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill(text)
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("article.comment", has_text=text)).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_posting_logs_no_htmx_error(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    errors: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(message.text)

    page.on("console", listen)
    page.goto(f"{live_server.url}{article.url}")
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    for text in ["The first comment.", "The second comment."]:
        send(page, text)
        expect(page.get_by_text("No comments yet.")).to_be_hidden()
    # A page that already has comments: the post there is quiet too.
    post(thread, guest("layla"), "Layla was here.", name="Layla")
    page.reload()
    send(page, "The third comment.")
    assert errors == []
