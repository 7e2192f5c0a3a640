"""The embed on another site's page, in a real browser with third-party cookies
blocked: read, post as a guest, vote, reply, sort, sign in (popup); "Load more" in
place, editing, "Notify of" and live updates; the count script on a listing page, the
iframe mode, and no cookie on the host page.

The host is a plain static server on 127.0.0.1 (port in this suite's range); Broadsheet
is the live server on localhost: another origin, and another site for the browser.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import BrowserType, Page, expect

from broadsheet.discussion.actions import do_cast_vote, do_delete_comment
from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.embed.actions import do_register_page, do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.testing import Mailbox, smtp_server
from conftest import CHROMIUM, CHROMIUM_FLAGS

HOST_PORTS = range(8840, 8860)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static web server for the host pages, on 127.0.0.1."""
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = None
    for port in HOST_PORTS:
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            break
        except OSError:
            continue
    assert server is not None, "no free port for the host page"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_third_party_cookies(browser_type: BrowserType) -> Iterator[Any]:
    browser = browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_FLAGS, "--test-third-party-cookie-phaseout"],
    )
    yield browser
    browser.close()


def _snippet(live: str, site: EmbeddingSite, extra: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>River post</title>'
        '</head><body style="background:#fff"><h1>River post</h1><p>Our post.</p>'
        f'<div id="broadsheet-thread"{extra}></div>'
        f'<script src="{live}/static/embed/embed.js" data-site="{site.key}" async></script>'
        "</body></html>"
    )


@pytest.fixture
def embed_site(site_structure: Any, settings: Any) -> EmbeddingSite:
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.BROADSHEET_EMBED_HOST_POLICY = "broadsheet.discussion.policy.default_policy"
    return do_register_site(name="Host blog", origin_lines=["http://127.0.0.1:*"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_uses_the_embed_on_another_origin(
    live_server: Any,
    host_site: tuple[str, Path],
    embed_site: EmbeddingSite,
    no_third_party_cookies: Any,
) -> None:
    origin, root = host_site
    url = f"{origin}/post.html"
    (root / "post.html").write_text(_snippet(live_server.url, embed_site))
    thread = do_register_page(site=embed_site, url=url, title="River post")
    rosa = make_user("rosa", name="Rosa Lindqvist")
    first = post(thread, guest("layla"), "The dike is the **cheapest** option.", name="Layla")

    context = no_third_party_cookies.new_context()
    page: Page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    box = page.locator("#broadsheet-thread")
    expect(box.locator(f"#comment-{first.pk}")).to_contain_text("cheapest")

    # A guest posts.
    form = box.locator("form.comment-form").first
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("From **another** site.")
    form.get_by_role("button", name="Post comment").click()
    expect(box.locator("article.comment", has_text="From another site.")).to_be_visible()
    mine = Comment.objects.get(body_source="From **another** site.")
    assert mine.guest_name == "Gabriel" and mine.guest_reader_id

    # Votes on Layla's comment.
    votes = box.locator(f"#comment-{first.pk} form.comment__vote").first
    votes.locator(".vote--up").click()
    expect(votes.locator(".vote--up")).to_have_attribute("aria-pressed", "true")
    expect(votes.locator("[data-score]")).to_have_text("1")

    # Replies to her.
    box.locator(f"#comment-{first.pk} .comment__actions").first.get_by_role(
        "link", name="Reply"
    ).click()
    reply = box.locator(f"#reply-form-{first.pk}")
    reply.get_by_label("Name").fill("Gabriel")
    reply.get_by_label("E-mail").fill("gabriel@example.org")
    reply.get_by_label("Your reply").fill("And the dike lasts.")
    reply.get_by_role("button", name="Post reply").click()
    expect(box.locator("article.comment", has_text="And the dike lasts.")).to_be_visible()
    assert Comment.objects.get(body_source="And the dike lasts.").parent_id == first.pk

    # Sorts without leaving the page.
    box.get_by_role("link", name="Oldest").click()
    expect(box.get_by_role("link", name="Oldest")).to_have_attribute("aria-current", "true")
    assert page.url == url

    # Deletes his own comment (the identity token says it is his).
    page.once("dialog", lambda dialog: dialog.accept())
    box.locator(f"#comment-{mine.pk}").get_by_role("link", name="Delete").click()
    expect(box.locator(f"#comment-{mine.pk}")).to_have_count(0)
    assert Comment.objects.get(pk=mine.pk).status == Comment.Status.DELETED

    # Signs in through the popup (first-party on our site) and posts as herself.
    with page.expect_popup() as popup_info:
        box.locator("[data-bs-signin]").click()
    popup = popup_info.value
    popup.get_by_label("Username or e-mail").fill("rosa")
    popup.get_by_label("Password").fill("a long pass phrase")
    popup.get_by_role("button", name="Sign in").click()
    expect(box.locator(".comment-form__as")).to_contain_text("Rosa Lindqvist")
    form = box.locator("form.comment-form").first
    form.get_by_label("Your comment").fill("Signed in from the blog.")
    form.get_by_role("button", name="Post comment").click()
    expect(box.locator("article.comment", has_text="Signed in from the blog.")).to_be_visible()
    assert Comment.objects.get(body_source="Signed in from the blog.").author_id == rosa.pk

    # Nothing but the host and Broadsheet was asked for; no cookie on the host page.
    assert all(r.startswith((origin, live_server.url)) for r in requests)
    assert not [c for c in context.cookies() if c["domain"] == "127.0.0.1"]
    assert page.evaluate("document.cookie") == ""
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counts_on_a_listing_page_in_one_request(
    live_server: Any,
    host_site: tuple[str, Path],
    embed_site: EmbeddingSite,
    no_third_party_cookies: Any,
) -> None:
    origin, root = host_site
    for n in (1, 2):
        thread = do_register_page(site=embed_site, url=f"{origin}/post-{n}.html")
        for i in range(n):
            post(thread, guest(f"g{n}{i}"), f"Comment {i}", name="G")
    (root / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blog</title></head>'
        '<body><ul><li><a href="post-1.html#broadsheet-thread" data-broadsheet-count>…</a></li>'
        '<li><a href="post-2.html?utm_source=x" data-broadsheet-count>…</a></li>'
        '<li><span data-broadsheet-count data-url="/post-3.html">…</span></li></ul>'
        f'<script src="{live_server.url}/static/embed/count.js" data-site="{embed_site.key}"'
        " async></script></body></html>"
    )
    page = no_third_party_cookies.new_page()
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/embed/counts" in r.url else None)
    page.goto(f"{origin}/index.html")
    links = page.locator("[data-broadsheet-count]")
    expect(links.nth(0)).to_have_text("1 comment")
    expect(links.nth(1)).to_have_text("2 comments")
    expect(links.nth(2)).to_have_text("0 comments")
    assert len(calls) == 1
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_iframe_mode_grows_with_the_discussion(
    live_server: Any,
    host_site: tuple[str, Path],
    embed_site: EmbeddingSite,
    no_third_party_cookies: Any,
) -> None:
    origin, root = host_site
    url = f"{origin}/framed.html"
    (root / "framed.html").write_text(
        _snippet(live_server.url, embed_site).replace("data-site=", 'data-mode="iframe" data-site=')
    )
    thread = do_register_page(site=embed_site, url=url)
    for i in range(12):
        post(thread, guest(f"g{i}"), f"Framed comment {i} " + "words " * 40, name="G")
    page = no_third_party_cookies.new_page()
    page.goto(url)
    frame = page.frame_locator("#broadsheet-thread iframe")
    expect(frame.locator("article.comment").first).to_be_visible()
    iframe = page.locator("#broadsheet-thread iframe")
    page.wait_for_function(
        "() => document.querySelector('#broadsheet-thread iframe').offsetHeight > 1200"
    )
    assert iframe.bounding_box()["height"] > 1200  # type: ignore[index]
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_included_discussion_reads_without_javascript_and_is_enhanced_with_it(
    live_server: Any,
    host_site: tuple[str, Path],
    embed_site: EmbeddingSite,
    no_third_party_cookies: Any,
) -> None:
    origin, root = host_site
    url = f"{origin}/included.html"
    thread = do_register_page(site=embed_site, url=url, title="Included")
    for i in range(3):
        post(thread, guest(f"g{i}"), f"Included comment {i}", name=f"Reader {i}")
    # The host's server fetches the fragment (as a WordPress or Hugo include would).
    fragment = Client().get("/embed/thread", {"site": embed_site.key, "url": url}).content
    page_html = _snippet(live_server.url, embed_site).replace(
        '<div id="broadsheet-thread"></div>',
        f'<div id="broadsheet-thread">{fragment.decode()}</div>',
    )
    (root / "included.html").write_text(page_html)

    without_js = no_third_party_cookies.new_context(java_script_enabled=False)
    page = without_js.new_page()
    page.goto(url)
    expect(page.locator("article.comment", has_text="Included comment 2")).to_be_visible()
    without_js.close()

    page = no_third_party_cookies.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/embed/thread" in r.url else None)
    page.goto(url)
    box = page.locator("#broadsheet-thread")
    expect(box.locator("[data-bs-signin]")).to_be_visible()  # the widget ran
    assert fetched == []  # and used what the include put there
    box.get_by_role("link", name="Oldest").click()
    expect(box.get_by_role("link", name="Oldest")).to_have_attribute("aria-current", "true")
    assert len(fetched) == 1 and page.url == url
    page.close()


def _page_top(element: Any) -> float:
    """Where an element is on the page (not in the viewport, which scrolls)."""
    return float(element.evaluate("e => e.getBoundingClientRect().top + window.scrollY"))


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    with smtp_server() as (box, mailers):
        settings.MAILERS = mailers
        yield box


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_embed_pages_in_place_edits_notifies_and_goes_live(
    live_server: Any,
    host_site: tuple[str, Path],
    embed_site: EmbeddingSite,
    no_third_party_cookies: Any,
    settings: Any,
    smtp: Mailbox,
) -> None:
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 3
    origin, root = host_site
    url = f"{origin}/live.html"
    (root / "live.html").write_text(_snippet(live_server.url, embed_site))
    thread = do_register_page(site=embed_site, url=url, title="River post")
    older = [
        post(thread, guest(f"g{i}"), f"Older comment {i}", name=f"Reader {i}") for i in range(5)
    ]

    context = no_third_party_cookies.new_context()
    page: Page = context.new_page()
    page.goto(url)
    box = page.locator("#broadsheet-thread")
    expect(box).to_have_attribute("data-live-state", "open")
    expect(box.locator("article.comment")).to_have_count(3)

    # "Load more comments" appends the next page in place: nothing above it moves.
    newest = box.locator(f"#comment-{older[4].pk}")
    before = _page_top(newest)
    box.get_by_role("link", name="Load more comments").click()
    expect(box.locator("article.comment")).to_have_count(5)
    expect(box.locator(f"#comment-{older[1].pk}")).to_be_focused()
    expect(box.get_by_role("link", name="Load more comments")).to_have_count(0)
    assert _page_top(newest) == before and page.url == url

    # Someone comments elsewhere: offered in a bubble, shown when asked for.
    news = post(thread, guest("layla"), "Fresh from the river.", name="Layla")
    bubble = box.get_by_role("button", name="1 new comment — show")
    expect(bubble).to_be_visible()
    expect(box.locator("#discussion-count")).to_have_text("6")
    expect(box.locator(f"#comment-{news.pk}")).to_have_count(0)
    assert _page_top(newest) == before
    bubble.click()
    expect(box.locator(f"#comment-{news.pk}")).to_be_focused()
    expect(bubble).to_be_hidden()
    # A vote elsewhere changes the score in place; a deletion leaves the placeholder.
    do_cast_vote(comment=news, actor=guest("voter"), value=1)
    expect(box.locator(f"#comment-{news.pk} [data-score]")).to_have_text("1")
    do_delete_comment(
        comment=Comment.objects.get(pk=older[0].pk), actor=member(make_user("mod", staff=True))
    )
    expect(box.locator(f"#comment-{older[0].pk}")).to_contain_text("[deleted]")

    # The guest posts, then edits the comment in place.
    form = box.locator("form.comment-form").first
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("First from the blog.")
    form.get_by_role("button", name="Post comment").click()
    mine = box.locator("article.comment", has_text="First from the blog.")
    expect(mine).to_be_visible()
    mine.get_by_role("link", name="Edit").click()
    field = box.locator("form.comment-form--edit").get_by_label("Your comment")
    expect(field).to_be_focused()
    expect(field).to_have_value("First from the blog.")
    field.fill("First from the blog, **edited**.")
    box.get_by_role("button", name="Save changes").click()
    expect(box.locator("article.comment strong", has_text="edited")).to_be_visible()
    edited = Comment.objects.get(body_source="First from the blog, **edited**.")
    expect(box.locator(f"#comment-{edited.pk} .comment__edited")).to_be_visible()
    expect(bubble).to_be_hidden()  # their own comment was never "new" to them

    # "Notify of": double opt-in, from the host's page.
    box.get_by_text("Notify of…").click()
    notify = box.locator("#notify-form")
    notify.get_by_label("new replies to my comments").check()
    notify.get_by_label("E-mail").fill("gabriel@example.org")
    notify.get_by_role("button", name="Subscribe").click()
    expect(box.locator("#notify-form .notify__message")).to_contain_text(
        "a message with a confirmation link is on its way"
    )
    assert smtp.to("gabriel@example.org")
    subscription = Subscription.objects.get(thread=thread)
    assert (subscription.kind, subscription.status) == ("replies", "pending")

    assert page.url == url and page.evaluate("document.cookie") == ""
    assert not [c for c in context.cookies() if c["domain"] == "127.0.0.1"]
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_view_all_replies_opens_in_place(
    live_server: Any,
    host_site: tuple[str, Path],
    embed_site: EmbeddingSite,
    no_third_party_cookies: Any,
    settings: Any,
) -> None:
    settings.BROADSHEET_DISCUSSION_REPLIES_PER_ROOT = 1
    origin, root = host_site
    url = f"{origin}/replies.html"
    (root / "replies.html").write_text(_snippet(live_server.url, embed_site))
    thread = do_register_page(site=embed_site, url=url, title="River post")
    first = post(thread, guest("layla"), "Dikes or room for the river?", name="Layla")
    replies = [
        post(thread, guest(f"r{i}"), f"Answer {i}", parent=first, name="R") for i in range(3)
    ]

    page = no_third_party_cookies.new_page()
    # widget.js is held back: a reader quicker than the network clicks before it listens.
    held: list[Any] = []
    page.route("**/embed/widget.js", lambda route: held.append(route))
    page.goto(url, wait_until="domcontentloaded")  # "load" would wait for the held script
    box = page.locator("#broadsheet-thread")
    expect(box.locator("article.comment")).to_have_count(2)  # the comment and one reply
    box.get_by_role("link", name="View all 3 replies").click()
    # The click was held for the widget (events dispatch before click() returns).
    assert page.evaluate("BroadsheetEmbed.held.length") == 1 and len(held) == 1
    held[0].continue_()
    for reply in replies:
        expect(box.locator(f"#comment-{reply.pk}")).to_be_visible()
    expect(box.get_by_role("link", name="View all 3 replies")).to_have_count(0)
    assert page.url == url
    page.close()
