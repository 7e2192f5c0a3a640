"""A reader signs up, confirms the address from the mail they receive, comments under an
article, and deletes the account: in a real browser, with mail through real SMTP."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment
from broadsheet.notifications.testing import Mailbox

PASSWORD = "a long pass phrase for rosa"


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    # A robot types faster than the moderation's "form sent back too fast" check allows.
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 0
    return make_article(title="Room for the river")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_signs_up_confirms_comments_and_leaves(
    page: Page, live_server: Any, article: ArticlePage, smtp: Mailbox
) -> None:
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{live_server.url}{article.url}")
    page.get_by_role("banner").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()

    page.get_by_label("Email").fill("rosa@example.org")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # Signed in at once ("optional" verification), back where "Account" led.
    expect(page.get_by_text("Your e-mail address is not confirmed yet")).to_be_visible()

    [mail] = smtp.to("rosa@example.org")
    link = smtp.link(mail, r"http://[^/\s]+/accounts/confirm-email/[^/\s]+/")
    page.goto(link)
    expect(page.get_by_text("rosa@example.org")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    page.goto(f"{live_server.url}/me/")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text("not confirmed yet")).to_have_count(0)
    assert EmailAddress.objects.get(email="rosa@example.org").verified

    page.goto(f"{live_server.url}{article.url}")
    form = page.locator("#discussion form.comment-form").first
    expect(form.get_by_text("Commenting as")).to_contain_text("rosa")
    form.get_by_label("Your comment").fill("Signed up just to say: publish the model.")
    form.get_by_role("button", name="Post comment").click()
    posted = page.locator("article.comment", has_text="publish the model").first
    expect(posted.locator(".comment__author")).to_have_text("rosa")
    assert Comment.objects.get().status == Comment.Status.APPROVED

    page.goto(f"{live_server.url}/me/delete/")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()

    page.goto(f"{live_server.url}{article.url}")
    kept = page.locator("article.comment", has_text="publish the model").first
    expect(kept.locator(".comment__author")).to_have_text("[deleted user]")
    assert Comment.objects.get().author_id is None
    assert csp_violations == []
