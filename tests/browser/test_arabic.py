"""The reader's journeys in Arabic, right to left, in a real browser: read, sort, reply,
vote, notify, report. The browser asks for Arabic (its locale sends Accept-Language: ar);
every label the test looks for is the catalogue's Arabic, so an untranslated control
fails it. docs/languages.md."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.moderation.models import Report
from broadsheet.notifications.models import Subscription


def ar(english: str, context: str = "") -> str:
    with translation.override("ar"):
        text = translation.pgettext(context, english) if context else translation.gettext(english)
    assert text != english, f"not translated: {english}"
    return text


def ar_plural(singular: str, plural: str, count: int, context: str = "") -> str:
    with translation.override("ar"):
        if context:
            return translation.npgettext(context, singular, plural, count)
        return translation.ngettext(singular, plural, count)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ar", "viewport": {"width": 390, "height": 900}}


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 0
    return make_article(title="النهر يحتاج إلى مساحة")


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    return Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_reads_sorts_replies_votes_subscribes_and_reports_in_arabic(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    rosa = post(
        thread,
        member(make_user("rosa", name="روزا")),
        "> النهر يحتاج إلى مساحة\n\nأوافق تمامًا على هذا الرأي.",
    )
    older = post(thread, guest("layla"), "تعليق أقدم من الجميع.", name="ليلى")
    Comment.objects.filter(pk=older.pk).update(
        created_at=older.created_at.replace(year=older.created_at.year - 1)
    )

    # Read: the whole interface is Arabic and right to left.
    page.goto(f"{live_server.url}{article.url}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    count = ar_plural("Comment", "Comments", 2, "count of comments")
    expect(page.locator("#discussion-heading")).to_have_text(f"2 {count}")
    # The quote's bar is on the right, the side Arabic starts from.
    quote = page.locator(f"#comment-{rosa.pk} .comment__body blockquote")
    bars = quote.evaluate(
        "q => [getComputedStyle(q).borderRightWidth, getComputedStyle(q).borderLeftWidth]"
    )
    assert bars == ["3px", "0px"], bars
    expect(page.locator(f"#comment-{rosa.pk} .comment__body")).to_have_attribute("dir", "auto")

    # Sort: oldest first.
    page.locator("#discussion").get_by_role("navigation", name=ar("Sort comments")).get_by_role(
        "link", name=ar("Oldest")
    ).click()
    expect(page).to_have_url(f"{live_server.url}{article.url}?sort=oldest#discussion")
    expect(page.locator("#discussion-comments > li").first).to_contain_text("تعليق أقدم")

    # Reply to Rosa as a guest.
    target = page.locator(f"#comment-{rosa.pk}")
    target.locator(":scope > .comment__actions").get_by_role(
        "link", name=ar("Reply", "verb"), exact=False
    ).click()
    form = page.locator(f"#reply-form-{rosa.pk}")
    expect(form.get_by_label(ar("Your reply"))).to_be_focused()
    form.get_by_label(ar("Name")).fill("جبريل")
    form.get_by_label(ar("E-mail"), exact=False).fill("gabriel@example.org")
    form.get_by_label(ar("Your reply")).fill("ومن أين سيأتي التمويل؟")
    form.get_by_role("button", name=ar("Post reply")).click()
    # The reply appears under Rosa's comment (inside its reply slot: .last is the reply).
    reply = page.locator("article.comment", has_text="ومن أين سيأتي التمويل؟").last
    expect(reply).to_be_visible()
    expect(reply.locator(".comment__reply-to")).to_contain_text("روزا")
    expect(page.locator("#discussion-status")).to_have_text(ar("Your comment was posted."))

    # Vote for Layla's comment (not Rosa's: the reply made this browser a reader with a
    # comment of its own, and readers vote on others' comments).
    layla = page.locator(f"#comment-{older.pk}")
    # The button is named for the comment's author: "Upvote the comment by <name>".
    upvote = ar("Upvote the comment by %(name)s").split("%(name)s")[0]
    layla.get_by_role("button", name=upvote.strip(), exact=False).click()
    expect(layla.locator("[data-score]")).to_have_text("1")
    expect(layla.get_by_role("button", name=upvote.strip(), exact=False)).to_have_attribute(
        "aria-pressed", "true"
    )

    # Notify: new replies to my comments, by e-mail.
    page.locator("#discussion-notify").get_by_text(ar("Notify of…")).click()
    notify = page.locator("#notify-form")
    notify.get_by_label(ar("new replies to my comments")).check()
    notify.get_by_label(ar("E-mail"), exact=False).fill("gabriel@example.org")
    notify.get_by_role("button", name=ar("Subscribe")).click()
    expect(page.locator("#notify-form .notify__message")).to_contain_text("gabriel@example.org")
    expect(page.locator("#notify-form .notify__message")).not_to_contain_text("Thank you")
    assert Subscription.objects.filter(email="gabriel@example.org", kind="replies").exists()

    # Report Rosa's comment, in place.
    target.locator(":scope > .comment__actions").get_by_role(
        "link", name=ar("Report", "verb"), exact=False
    ).click()
    target.get_by_label(ar("Abusive or hateful")).check()
    target.get_by_role("button", name=ar("Send report")).click()
    expect(
        target.get_by_text(ar("Thank you. A moderator will look at this comment."))
    ).to_be_visible()
    stored = Report.objects.get()
    assert (stored.comment_id, stored.reason) == (rosa.pk, "abuse")

    # The reader's own language choice: the switcher offers the others, without a script.
    page.locator(".language-switcher").get_by_role("link", name="Español").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("html")).to_have_attribute("lang", "es")
