"""What a reader on a phone or with a screen reader meets (issue 14, point 12): a permalink
jump lands at once instead of animating through the page; the passage marker draws
without an emoji font; the sideways-scrolling section menu shows that it scrolls; every
comment's Reply and Report say whose comment they act on."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article, make_section
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_user, member, post

POINT = "0b7c4c59-2a8e-4a51-9d69-1f1e0d3c1a01"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    for title in ["World", "Politics", "Business", "Science", "Culture", "Opinion"]:
        make_section(title)
    body: list[dict[str, Any]] = [
        {
            "type": "feedback",
            "id": POINT,
            "value": {"text": "<p>The council will raise the dikes.</p>", "question": ""},
        }
    ]
    body += [
        {"type": "paragraph", "value": f"<p>Paragraph {n}. " + "Words " * 150 + "</p>"}
        for n in range(40)
    ]
    return make_article(title="Room for the river", body=body)


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    return Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_reader_jumps_marks_and_menus(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    rosas = post(thread, member(make_user("rosa", name="Rosa Lindqvist")), "Room, yes.")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{article.url}")

    # A jump to a comment far down the page lands at once: the target is on screen in the
    # same task, with no animation through the article in between.
    top, height = page.evaluate(
        """(id) => {
            window.location.hash = "#comment-" + id;
            const top = document.getElementById("comment-" + id).getBoundingClientRect().top;
            return [top, window.innerHeight];
        }""",
        rosas.pk,
    )
    assert 0 <= top < height, (top, height)

    # The passage marker is drawn, not an emoji that may render as an empty box.
    marker = page.locator(f"#marker-{POINT}")
    assert marker.evaluate("(m) => m.textContent.trim()") == "0"
    box = marker.locator("svg.inline-marker__icon").bounding_box()
    assert box and box["width"] >= 10 and box["height"] >= 10

    # The section menu is wider than the phone and shows a shade at its edge to say so.
    menu = page.locator(".sections-nav ul")
    assert menu.evaluate("(ul) => ul.scrollWidth > ul.clientWidth")
    assert "radial-gradient" in menu.evaluate("(ul) => getComputedStyle(ul).backgroundImage")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reply_and_report_say_whose_comment(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    rosas = post(thread, member(make_user("rosa", name="Rosa Lindqvist")), "Room, yes.")
    post(thread, guest("layla"), "Room, no.", name="Layla")
    page.goto(f"{live_server.url}{article.url}")
    for name in ["Rosa Lindqvist", "Layla"]:
        expect(
            page.get_by_role("link", name=f"Reply to the comment by {name}", exact=True)
        ).to_have_count(1)
        expect(
            page.get_by_role("link", name=f"Report the comment by {name}", exact=True)
        ).to_have_count(1)
    # What shows on screen stays short: the names are for screen readers.
    reply = page.locator(f"#comment-{rosas.pk} > .comment__actions [data-discussion-reply]")
    box = reply.bounding_box()
    assert box and box["width"] < 100, box
