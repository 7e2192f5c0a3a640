"""The discussion under an article, as readers use it in a real browser.

Also the server-side checks that need an article page (the discussion app itself never
imports articles): the section renders under an article at a constant query count and
follows the editors' discussion settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import Browser, Page, expect

from broadsheet.articles.models import ArticlePage, PublicationSettings
from broadsheet.articles.testing import make_article
from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion.actions import do_cast_vote
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import (
    big_thread,
    guest,
    make_user,
    member,
    post,
    signed_reader_cookie,
)

ARTICLE_POLICY = "broadsheet.articles.discussion_policy.article_policy"


@pytest.fixture
def discussion_settings(settings: Any) -> Any:
    settings.BROADSHEET_DISCUSSION_POLICY = ARTICLE_POLICY
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 3
    settings.BROADSHEET_DISCUSSION_FOLD_LENGTH = 300
    return settings


@pytest.fixture
def article(site_structure: Any, discussion_settings: Any) -> ArticlePage:
    return make_article(title="Room for the river")


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    # The article page registers its thread on first view; tests seed it beforehand.
    return Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


def article_url(live_server: Any, article: ArticlePage, query: str = "") -> str:
    return f"{live_server.url}{article.url}{query}"


def comment(page: Page, text: str) -> Any:
    return page.locator("article.comment", has_text=text).first


# --- browser journeys -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guest_joins_the_discussion(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread, rosa: Any
) -> None:
    rosa = member(rosa)
    rosas = post(thread, rosa, "The river needs room, and the **council** knows it.")
    post(
        thread,
        guest("layla"),
        "Long thoughts. " + "The flood plain is a commons. " * 30 + "FINAL-SENTENCE.",
        name="Layla",
    )
    for n in range(3):
        post(thread, guest(f"early-{n}"), f"Early comment {n}", name=f"Early {n}")
    Comment.objects.filter(pk=rosas.pk).update(
        created_at=rosas.created_at.replace(year=rosas.created_at.year + 1)
    )

    page.goto(article_url(live_server, article))
    discussion = page.locator("#discussion")
    expect(discussion.get_by_role("heading", name="5 Comments")).to_be_visible()

    # Guest Gabriel previews, then posts a top-level comment.
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("I *agree* with **Rosa**.")
    form.get_by_role("button", name="Preview").click()
    expect(form.locator(".comment-form__preview strong")).to_have_text("Rosa")
    form.get_by_role("button", name="Post comment").click()
    mine = comment(page, "I agree with Rosa.")
    expect(mine).to_be_visible()
    expect(mine.locator(".comment__author")).to_have_text("Gabriel")
    expect(page.locator("#discussion-count")).to_have_text("6")

    # He replies to Rosa: the form opens under her comment.
    page.locator(f"#comment-{rosas.pk} > .comment__actions").get_by_role(
        "link", name="Reply"
    ).click()
    reply_form = page.locator(f"#reply-form-{rosas.pk}")
    expect(reply_form.get_by_label("Your reply")).to_be_focused()
    reply_form.get_by_label("Name").fill("Gabriel")
    reply_form.get_by_label("E-mail").fill("gabriel@example.org")
    reply_form.get_by_label("Your reply").fill("Where is the money coming from?")
    reply_form.get_by_role("button", name="Post reply").click()
    reply = comment(page, "Where is the money coming from?")
    expect(reply.get_by_role("link", name="Reply to Rosa Lindqvist")).to_have_attribute(
        "href", f"#comment-{rosas.pk}"
    )

    # He upvotes Rosa's comment.
    rosas_actions = page.locator(f"#comment-{rosas.pk} > .comment__actions")
    rosas_actions.get_by_role("button", name="Upvote").click()
    expect(rosas_actions.get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(rosas_actions.locator("[data-score]")).to_have_text("1")

    # He edits his first comment.
    mine.get_by_role("link", name="Edit").click()
    editor = page.locator("form.comment-form--edit")
    editor.get_by_label("Your comment").fill("I agree with Rosa, mostly.")
    editor.get_by_role("button", name="Save changes").click()
    edited = comment(page, "I agree with Rosa, mostly.")
    expect(edited.locator(".comment__edited")).to_have_text("edited")

    # Most voted puts Rosa's comment first.
    discussion.get_by_role("link", name="Most voted").click()
    expect(page.get_by_role("link", name="Most voted")).to_have_attribute("aria-current", "true")
    expect(page.locator("#discussion-comments > li > article").first).to_contain_text(
        "The river needs room"
    )

    # A long comment is folded; "Read more »" shows the rest.
    long_one = comment(page, "Long thoughts.")
    if long_one.count() == 0 or not long_one.is_visible():
        page.get_by_role("link", name="Load more comments").click()
    long_one = comment(page, "Long thoughts.")
    ending = long_one.get_by_text("FINAL-SENTENCE.")
    expect(long_one.get_by_text("Read more »")).to_be_visible()
    long_one.get_by_text("Read more »").click()
    expect(ending).to_be_in_viewport()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_load_more_permalinks_and_deleting_a_comment_with_replies(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread, rosa: Any
) -> None:
    oldest = [
        post(thread, guest(f"reader-{n}"), f"Comment number {n}", name=f"Reader {n}")
        for n in range(8)
    ]

    # Load more appends the next page in place.
    page.goto(article_url(live_server, article))
    items = page.locator("#discussion-comments > li")
    expect(items).to_have_count(3)
    page.get_by_role("link", name="Load more comments").click()
    expect(items).to_have_count(6)
    expect(page).to_have_url(re.compile(r"/room-for-the-river[^?]*/$"))

    # A permalink opens the page that holds the comment and highlights it.
    page.goto(article_url(live_server, article, f"?comment={oldest[0].pk}#comment-{oldest[0].pk}"))
    target = page.locator(f"#comment-{oldest[0].pk}")
    expect(target).to_have_class(re.compile("is-highlighted"))
    expect(target).to_be_in_viewport()

    # Guest Gabriel posts, Rosa replies, Gabriel deletes his comment: the reply stays.
    page.goto(article_url(live_server, article))
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("A comment I will regret.")
    form.get_by_role("button", name="Post comment").click()
    expect(comment(page, "A comment I will regret.")).to_be_visible()
    gabriels = Comment.objects.get(body_source="A comment I will regret.")
    post(thread, member(rosa), "Rosa answers the regretted comment.", parent=gabriels)
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    comment(page, "A comment I will regret.").get_by_role("link", name="Delete").click()
    placeholder = page.locator(f"#comment-{gabriels.pk}")
    expect(placeholder.locator(".comment__body--deleted")).to_have_text("[deleted]")
    page.reload()
    expect(page.locator(f"#comment-{gabriels.pk} .comment__body--deleted")).to_have_text(
        "[deleted]"
    )
    expect(comment(page, "Rosa answers the regretted comment.")).to_be_visible()
    expect(page.get_by_text("A comment I will regret.")).to_have_count(0)


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_everything_works_without_javascript(
    no_js_page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    page = no_js_page
    page.goto(article_url(live_server, article))
    form = page.locator("#comment-form")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("Text I must not lose.")
    form.get_by_label("Name").fill(" ")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form-name-error")).to_have_text(
        "Please give a name to show with your comment."
    )
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value(
        "Text I must not lose."
    )
    page.locator("#comment-form").get_by_label("Name").fill("Gabriel")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(r"\?comment=\d+#comment-\d+$"))
    posted = comment(page, "Text I must not lose.")
    expect(posted).to_have_class(re.compile("is-highlighted"))
    posted.get_by_role("link", name="Reply").click()
    expect(page.locator("#reply-form textarea")).to_be_visible()


# --- server-side checks that need an article ------------------------------------------------


@pytest.mark.django_db
def test_the_article_page_shows_its_discussion_at_a_constant_query_count(
    site_structure: Any, discussion_settings: Any
) -> None:
    discussion_settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 20
    small, large = make_article(title="Small discussion"), make_article(title="Huge discussion")
    for article, size in ((small, 50), (large, 5000)):
        seeded = big_thread(size, seed=size)
        Thread.objects.filter(pk=seeded.pk).update(key=f"article-{article.pk}")
    # A reader with a cookie: never served from the anonymous page cache, always rendered.
    client = Client()
    client.cookies[READER_COOKIE] = signed_reader_cookie("rosa-cookie")
    for article in (small, large):  # warm the caches (navigation, related articles, thread title)
        client.get(article.url)
    counts = []
    for article in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.url)
        html = response.content.decode()
        assert response.get("X-Page-Cache") != "hit"
        counts.append(len(queries))
        assert html.count('<article id="comment-') > 20
        assert '<section id="discussion"' in html
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_discussion_follows_the_publication_settings(
    site_structure: Any, discussion_settings: Any
) -> None:
    article = make_article(title="Settings")
    publication = PublicationSettings.load()
    publication.comments_allow_guests = False
    publication.comments_default_sort = "top"
    publication.save()
    html = Client().get(article.url).content.decode()
    assert "Sign in</a> to join the discussion." in html
    assert '<a href="?sort=top#discussion" aria-current="true">Most voted</a>' in html
    publication.comments_enabled = False
    publication.save()
    assert "Comments are closed." in Client().get(article.url).content.decode()


@pytest.mark.django_db
def test_article_threads_are_keyed_by_page_and_follow_the_title(
    site_structure: Any, discussion_settings: Any
) -> None:
    article = make_article(title="First title")
    Client().get(article.url)
    thread = Thread.objects.get(key=f"article-{article.pk}")
    assert (thread.title, thread.url) == ("First title", article.url)
    rosa = make_user()
    c = post(thread, member(rosa))
    do_cast_vote(comment=c, actor=guest("x"), value=1)
    article.title = "Second title"
    article.save_revision().publish()
    Client().get(article.url)
    assert Thread.objects.get(pk=thread.pk).title == "Second title"


@pytest.mark.django_db
def test_the_demo_discussions_load_fast_and_only_once(
    site_structure: Any, discussion_settings: Any
) -> None:
    import time

    from broadsheet.articles.demo_discussions import BIG_DISCUSSION_SIZE, load_demo_discussions
    from broadsheet.discussion.testing import thread_inconsistencies

    articles = [make_article(title=f"Demo {n}") for n in range(4)]
    started = time.monotonic()
    summary = load_demo_discussions()
    assert time.monotonic() - started < 60
    assert summary.startswith("Demo discussions:")
    threads = Thread.objects.filter(key__in=[f"article-{a.pk}" for a in articles])
    assert threads.count() == 4
    assert max(t.comment_count for t in threads) >= BIG_DISCUSSION_SIZE * 0.9
    assert all(thread_inconsistencies(t) == [] for t in threads)
    before = Comment.objects.count()
    load_demo_discussions()
    assert Comment.objects.count() == before
    languages = "".join(Comment.objects.values_list("body_source", flat=True)[:3000])
    assert re.search(r"[\u0600-\u06FF]", languages)  # Arabic among them


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_busy_discussion_has_no_accessibility_violations(
    browser: Browser,
    live_server: Any,
    article: ArticlePage,
    thread: Thread,
    rosa: Any,
    axe_source: str,
) -> None:
    rosa = member(rosa)
    root = post(
        thread, rosa, "Root with **markup**, a [link](https://example.org) and\n\n> a quote"
    )
    reply = post(thread, guest("g"), "مرحبا، هذا رد بالعربية.", parent=root, name="ليلى")
    post(thread, rosa, "Deeper " * 80, parent=reply)
    deleted = post(thread, guest("h"), "To be deleted", parent=root, name="H")
    post(thread, rosa, "Under a deleted one", parent=deleted)
    Comment.objects.filter(pk=deleted.pk).update(status=Comment.Status.DELETED, body_html="")
    for n in range(4):
        post(thread, guest(f"x{n}"), f"More {n}", name=f"X {n}")
    # The test context bypasses our CSP to inject axe-core.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(article_url(live_server, article, f"?reply_to={root.pk}&comment={reply.pk}"))
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async () => await axe.run(document.getElementById('discussion'),"
        " {resultTypes: ['violations']})"
    )
    violations = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]
    context.close()
    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_badges_tell_the_author_the_team_and_guests_apart(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    from broadsheet.articles.models import Author
    from broadsheet.discussion.badges import forget_known_accounts

    columnist = make_user("mara", name="Mara Quill", staff=True)
    Author.objects.filter(pk=article.byline.first().author_id).update(user=columnist)
    moderator = make_user("max", name="Max Brandt", moderator=True)
    forget_known_accounts()
    question = post(thread, guest("layla"), "Who pays for the new dykes?", name="Layla")
    post(thread, member(columnist), "The regional fund, as the piece says.", parent=question)
    post(thread, member(moderator), "A reminder: stay on the topic, please.")

    page.goto(article_url(live_server, article))
    expect(comment(page, "Who pays").locator(".comment__badge")).to_have_text("Guest")
    expect(comment(page, "regional fund").locator(".comment__badge")).to_have_text("Author")
    expect(comment(page, "stay on the topic").locator(".comment__badge")).to_have_text("Moderator")

    # A guest cannot speak as the team: the name is refused, the text kept.
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Moderator")
    form.get_by_label("E-mail").fill("fake@example.org")
    form.get_by_label("Your comment").fill("This discussion is now closed.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("kept for the team")).to_be_visible()
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value(
        "This discussion is now closed."
    )
    assert not Comment.objects.filter(guest_name="Moderator").exists()
