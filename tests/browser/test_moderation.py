"""Moderation in a real browser: a moderator works the queue in the Wagtail admin, and a
reader reports a comment from the article page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.moderation.models import AuditEntry, ModerationWord, Report, Sanction


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    return make_article(title="Room for the river")


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    return Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


def signed_in(page: Page, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def item(page: Page, text: str) -> Any:
    return page.locator("li.mod-item", has_text=text).first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_moderator_works_the_queue(page: Page, live_server: Any, thread: Thread) -> None:
    max_user = get_user_model().objects.create_superuser(
        "max", "max@example.org", "a long pass phrase"
    )
    # live_server tests flush the rows data migrations made: the word list is set here.
    ModerationWord.objects.get_or_create(word="shut up", kind=ModerationWord.Kind.SUSPECT)
    rosa = make_user("rosa", name="Rosa Lindqvist")
    fair = post(thread, member(rosa), "Oh shut up about the bridge, it is fine.")
    rude = post(thread, guest("g1"), "Shut up, all of you.", name="Gabriel")
    troll = post(thread, guest("t1", ip_hash="troll"), "shut up shut up", name="Troll")
    keyboard = post(thread, guest("k1"), "Please shut up and read the report.", name="Kim")
    assert {c.status for c in (fair, rude, troll, keyboard)} == {"pending"}

    signed_in(page, live_server, max_user)
    page.goto(f"{live_server.url}/admin/moderation/")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    expect(item(page, "about the bridge")).to_contain_text("suspect word: shut up")

    item(page, "about the bridge").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approve: 1 comment(s).")).to_be_visible()
    item(page, "all of you").get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Reject: 1 comment(s).")).to_be_visible()
    # A ban asks how long and why first (issue 14).
    item(page, "shut up shut up").get_by_role("button", name="Ban or suspend author…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("For").select_option(label="For good (a ban, until lifted)")
    dialog.get_by_label("Reason", exact=True).fill("trolling")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Ban or suspension: 1 comment(s).")).to_be_visible()

    # Keyboard: actions happen in place, so the position stays on the card last worked
    # (the troll's); k moves up to the newest comment, a approves it.
    expect(item(page, "read the report")).to_be_visible()
    page.keyboard.press("k")
    expect(item(page, "read the report")).to_have_class("mod-item is-current")
    page.keyboard.press("a")
    expect(item(page, "read the report").locator(".mod-status")).to_have_text("Approved")

    page.goto(f"{live_server.url}/admin/moderation/?tab=approved")
    item(page, "about the bridge").get_by_role("button", name="Feature").click()
    dialog.get_by_label("Reason", exact=True).fill("the clearest account")
    dialog.get_by_role("button", name="Feature").click()
    expect(item(page, "about the bridge")).to_contain_text("Featured")

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {
        fair.pk: "approved",
        rude.pk: "rejected",
        troll.pk: "rejected",
        keyboard.pk: "approved",
    }
    assert Comment.objects.get(pk=fair.pk).is_featured
    assert Sanction.objects.get().ip_hash == "troll"
    assert AuditEntry.objects.filter(actor=max_user).count() == 6


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_reports_a_comment(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    rosa = make_user("rosa", name="Rosa Lindqvist")
    target = post(thread, member(rosa), "Everyone who disagrees is a fool.")
    page.goto(f"{live_server.url}{article.url}")
    comment = page.locator("article.comment", has_text="is a fool").first
    comment.get_by_role("link", name="Report").click()
    page.get_by_label("Abusive or hateful").check()
    page.get_by_label("Anything moderators should know?").fill("Name-calling.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you. A moderator will look at this comment.")).to_be_visible()
    report = Report.objects.get()
    assert (report.comment_id, report.reason, report.note) == (target.pk, "abuse", "Name-calling.")
