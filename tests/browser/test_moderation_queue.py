"""A moderator's working day in a real browser (issue 14): actions in place that keep the
keyboard position, a ban that asks how long and why, a held comment approved in context on
the article, and screen-reader labels that stay off the screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.moderation.models import AuditEntry, ModerationWord, Sanction


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    return make_article(title="Room for the river")


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    # live_server tests flush the rows data migrations made: the word list is set here.
    ModerationWord.objects.get_or_create(word="shut up", kind=ModerationWord.Kind.SUSPECT)
    return Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


@pytest.fixture
def max_user(thread: Thread) -> Any:
    return get_user_model().objects.create_superuser(
        "max", "max@example.org", "a long pass phrase", first_name="Max", last_name="Moderator"
    )


def signed_in(page: Page, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def card(page: Page, text: str) -> Any:
    return page.locator("li.mod-item", has_text=text).first


def mark_document(page: Page) -> None:
    """A mark on this very document: a reload would drop it."""
    page.evaluate("() => { document.documentElement.dataset.stayed = 'yes'; }")


def still_the_same_document(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-stayed", "yes")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_actions_happen_in_place_and_keep_the_keyboard_position(
    page: Page, live_server: Any, thread: Thread, max_user: Any
) -> None:
    # Newest first in the queue: third, second, first.
    first = post(thread, guest("g1"), "First: shut up about it.", name="Ann")
    second = post(thread, guest("g2"), "Second: shut up already.", name="Ben")
    third = post(thread, guest("g3"), "Third: please shut up.", name="Cai")
    signed_in(page, live_server, max_user)
    page.goto(f"{live_server.url}/admin/moderation/")
    mark_document(page)

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(card(page, "Second:")).to_have_class("mod-item is-current")
    page.keyboard.press("a")
    expect(card(page, "Second:").locator(".mod-status")).to_have_text("Approved")
    expect(page.get_by_text("Approve: 1 comment(s).")).to_be_visible()
    still_the_same_document(page)
    # The approved card stays where it was, still the current one; j goes on from there.
    expect(card(page, "Second:")).to_have_class("mod-item is-acted is-current")
    page.keyboard.press("j")
    expect(card(page, "First:")).to_have_class("mod-item is-current")
    page.keyboard.press("r")
    expect(card(page, "First:").locator(".mod-status")).to_have_text("Rejected")

    # A button clicked with the mouse acts in place too.
    card(page, "Third:").get_by_role("button", name="Spam").click()
    expect(card(page, "Third:").locator(".mod-status")).to_have_text("Spam")
    still_the_same_document(page)
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "rejected", second.pk: "approved", third.pk: "spam"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_ban_asks_how_long_and_why_before_it_is_given(
    page: Page, live_server: Any, thread: Thread, max_user: Any
) -> None:
    rosa = make_user("rosa", name="Rosa Lindqvist")
    comment = post(thread, member(rosa), "Oh shut up, all of you.")
    signed_in(page, live_server, max_user)
    page.goto(f"{live_server.url}/admin/moderation/")
    mark_document(page)

    card(page, "all of you").get_by_role("button", name="Ban or suspend author…").click()
    dialog = page.get_by_role("dialog", name="Ban or suspend Rosa Lindqvist")
    expect(dialog).to_be_visible()
    assert not Sanction.objects.exists()  # nothing happens on the first click

    dialog.get_by_label("For").select_option(label="1 week")
    dialog.get_by_role("button", name="Confirm").click()
    # The reason is required: the browser keeps the dialog open and nothing is sent.
    expect(dialog).to_be_visible()
    assert not Sanction.objects.exists()
    dialog.get_by_label("Reason", exact=True).fill("personal attacks")
    dialog.get_by_role("button", name="Confirm").click()

    expect(dialog).to_be_hidden()
    expect(card(page, "all of you").locator(".mod-status")).to_have_text("Rejected")
    expect(page.get_by_text("Ban or suspension: 1 comment(s).")).to_be_visible()
    still_the_same_document(page)
    sanction = Sanction.objects.get()
    assert (sanction.kind, sanction.user_id, sanction.reason) == (
        "suspension",
        rosa.pk,
        "personal attacks",
    )
    assert sanction.until is not None
    assert timedelta(days=6) < sanction.until - timezone.now() <= timedelta(days=7)
    comment.refresh_from_db()
    assert comment.status == "rejected"
    assert not AuditEntry.objects.filter(actor=max_user, reason="").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_closing_a_discussion_asks_why(
    page: Page, live_server: Any, thread: Thread, max_user: Any
) -> None:
    post(thread, guest("g1"), "Shut up, everyone.", name="Ann")
    signed_in(page, live_server, max_user)
    page.goto(f"{live_server.url}/admin/moderation/")
    card(page, "everyone").get_by_role("button", name="Close discussion…").click()
    dialog = page.get_by_role("dialog", name="Close the discussion of “Room for the river”")
    expect(dialog).to_be_visible()
    thread.refresh_from_db()
    assert not thread.is_closed
    dialog.get_by_label("Reason", exact=True).fill("heated beyond repair")
    dialog.get_by_role("button", name="Close the discussion").click()
    expect(dialog).to_be_hidden()
    expect(card(page, "everyone")).to_contain_text("discussion closed")
    thread.refresh_from_db()
    assert thread.is_closed
    assert AuditEntry.objects.get(action="close").reason == "heated beyond repair"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_held_comment_is_approved_in_context_on_the_article(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread, max_user: Any
) -> None:
    rosa = make_user("rosa", name="Rosa Lindqvist")
    held = post(thread, member(rosa), "Shut up and read the report first.")
    assert held.status == "pending"
    signed_in(page, live_server, max_user)
    page.goto(f"{live_server.url}/admin/moderation/")
    card(page, "read the report").get_by_role("link", name="this comment in context").click()

    comment = page.locator(f"#comment-{held.pk}")
    expect(comment).to_be_visible()
    expect(comment).to_contain_text("Held for review (suspect word: shut up)")
    comment.get_by_role("button", name="Approve the comment by Rosa Lindqvist").click()

    expect(page.locator(f"#comment-{held.pk}")).to_be_visible()
    expect(page.locator(f"#comment-{held.pk}")).not_to_contain_text("Held for review")
    held.refresh_from_db()
    assert held.status == "approved"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_screen_reader_labels_stay_off_the_screen(
    page: Page, live_server: Any, thread: Thread, max_user: Any
) -> None:
    post(thread, guest("g1"), "Shut up, everyone.", name="Ann")
    signed_in(page, live_server, max_user)
    page.goto(f"{live_server.url}/admin/moderation/")
    label = page.locator(".mod-item__select .visually-hidden").first
    expect(page.get_by_role("checkbox", name="Select the comment by Ann (guest)")).to_be_visible()
    box = label.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
