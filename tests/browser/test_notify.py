"""A guest subscribes to a discussion from the article page and confirms the address by
the link in the e-mail a real SMTP server received."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Thread
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.testing import Mailbox, links


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guest_subscribes_and_confirms_by_the_emailed_link(
    site_structure: Any, page: Page, live_server: Any, settings: Any, smtp: Mailbox
) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    settings.SITE_URL = live_server.url
    article: ArticlePage = make_article(title="Room for the river")
    page.goto(f"{live_server.url}{article.url}")

    control = page.locator("#discussion-notify")
    control.get_by_text("Notify of…").click()
    form = page.locator("#notify-form")
    form.get_by_label("new replies to my comments").check()
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#notify-form .notify__message")).to_contain_text(
        "a message with a confirmation link is on its way"
    )
    expect(page).to_have_url(f"{live_server.url}{article.url}")  # swapped in place (htmx)

    [mail] = smtp.to("gabriel@example.org")
    [confirm] = links(mail, "/notify/confirm/")
    page.goto(confirm)
    page.get_by_role("button", name="Yes, confirm").click()
    expect(page.get_by_role("status")).to_contain_text("gabriel@example.org is confirmed")
    thread = Thread.objects.get(key=f"article-{article.pk}")
    sub = Subscription.objects.get(thread=thread)
    assert (sub.kind, sub.status) == ("replies", "active")
