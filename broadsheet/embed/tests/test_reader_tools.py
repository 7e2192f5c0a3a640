"""What a reader does in the embed beyond posting and voting: editing their comment,
"Notify of", one comment's fragment (live updates insert it) and the live stream itself,
each with an identity token and no cookie, for the site's own discussions only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import guest, post
from broadsheet.embed.actions import do_register_page, do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.tests.conftest import PAGE
from broadsheet.notifications.models import Subscription

ORIGIN = "https://blog.example.org"


def _token(client: Client, site: EmbeddingSite) -> dict[str, str]:
    answer = client.post(f"/embed/reader?site={site.key}", headers={"Origin": ORIGIN})
    return {"X-Broadsheet-Reader": answer.json()["token"], "Origin": ORIGIN}


def _posted(client: Client, thread: Any, identity: dict[str, str], body: str) -> Comment:
    answer = client.post(
        f"/api/v1/threads/{thread.key}/comments",
        data=json.dumps({"body": body, "name": "Layla", "email": "layla@example.org"}),
        content_type="application/json",
        headers=identity,
    )
    assert answer.status_code == 201, answer.content
    return Comment.objects.get(pk=answer.json()["id"])


@pytest.fixture
def thread(blog: EmbeddingSite) -> Any:
    return do_register_page(site=blog, url=PAGE, title="River plan")


def test_a_guest_edits_their_comment_in_the_embed(blog: EmbeddingSite, thread: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    identity = _token(browser, blog)
    mine = _posted(browser, thread, identity, "The dike is *cheap*.")

    form = browser.get(f"/embed/edit/{mine.pk}", {"site": blog.key}, headers=identity)
    html = form.content.decode()
    assert form.status_code == 200
    assert f'id="edit-form-{mine.pk}"' in html and "The dike is *cheap*." in html
    assert "csrfmiddlewaretoken" not in html and 'action="http://testserver/' in html
    assert form["Cache-Control"] == "private, no-cache" and not form.cookies
    assert form["Access-Control-Allow-Origin"] == ORIGIN

    saved = browser.patch(
        f"/api/v1/comments/{mine.pk}",
        data=json.dumps({"body": "The dike is *cheapest*."}),
        content_type="application/json",
        headers=identity,
    )
    assert saved.status_code == 200, saved.content
    shown = browser.get(f"/embed/comment/{mine.pk}", {"site": blog.key}, headers=identity)
    text = shown.content.decode()
    assert shown.status_code == 200 and text.startswith(f'<article id="comment-{mine.pk}"')
    assert "<em>cheapest</em>" in text and ">edited<" in text
    assert text.count("<a ") == text.count('rel="nofollow ugc')


def test_another_reader_cannot_edit_it(blog: EmbeddingSite, thread: Any) -> None:
    browser = Client()
    mine = _posted(browser, thread, _token(browser, blog), "Mine")
    someone = browser.get(
        f"/embed/edit/{mine.pk}", {"site": blog.key}, headers=_token(browser, blog)
    )
    assert someone.status_code == 403
    assert "can no longer be edited" in someone.content.decode()
    refused = browser.patch(
        f"/api/v1/comments/{mine.pk}",
        data=json.dumps({"body": "Not mine"}),
        content_type="application/json",
        headers=_token(browser, blog),
    )
    assert refused.status_code == 403
    assert Comment.objects.get(pk=mine.pk).body_source == "Mine"


def test_a_site_reads_only_its_own_comments(blog: EmbeddingSite, thread: Any) -> None:
    comment = post(thread, guest("g"), "On the blog", name="G")
    other = do_register_site(name="Other", origin_lines=["https://other.example"])
    client = Client()
    assert client.get(f"/embed/comment/{comment.pk}", {"site": other.key}).status_code == 404
    assert client.get(f"/embed/edit/{comment.pk}", {"site": other.key}).status_code == 404
    answer = client.post(
        f"/embed/subscribe/{thread.pk}?site={other.key}",
        {"kind": "thread", "email": "r@example.org"},
        headers={"X-Broadsheet-Reader": "x"},
    )
    assert answer.status_code == 404
    assert client.get(f"/embed/comment/{comment.pk}", {"site": blog.key}).status_code == 200


def test_notify_of_from_the_embed_is_double_opt_in(blog: EmbeddingSite, thread: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    # Without an identity token (a form posted by any page, riding on cookies): refused.
    forged = browser.post(
        f"/embed/subscribe/{thread.pk}?site={blog.key}",
        {"kind": "thread", "email": "rosa@example.org"},
    )
    assert forged.status_code == 403 and not Subscription.objects.exists()

    identity = _token(browser, blog)
    missing = browser.post(
        f"/embed/subscribe/{thread.pk}?site={blog.key}", {"kind": "thread"}, headers=identity
    )
    assert missing.status_code == 400 and 'id="notify-error"' in missing.content.decode()

    answer = browser.post(
        f"/embed/subscribe/{thread.pk}?site={blog.key}",
        {"kind": "replies", "email": "rosa@example.org"},
        headers=identity,
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and html.startswith('<form id="notify-form"')
    assert "rosa@example.org" in html and "csrfmiddlewaretoken" not in html
    assert answer["Access-Control-Allow-Origin"] == ORIGIN and not answer.cookies
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.kind, subscription.status) == (
        "rosa@example.org",
        "replies",
        Subscription.Status.PENDING,
    )


def test_the_fragment_carries_the_stream_but_none_of_our_scripts(
    blog: EmbeddingSite, thread: Any
) -> None:
    post(thread, guest("g"), "Live", name="G")
    html = Client().get("/embed/thread", {"site": blog.key, "url": PAGE}).content.decode()
    assert f'data-live-url="/live/t/{thread.pk}/"' in html
    assert "<script" not in html  # widget.js listens on the host's page instead of live.js


def test_the_live_stream_answers_the_sites_origins_only(
    blog: EmbeddingSite, thread: Any, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_KEEPALIVE = 0.2
    settings.BROADSHEET_LIVE_STREAM_SECONDS = 0.5  # streams end soon, as EventSource resumes
    post(thread, guest("g"), "Live", name="G")
    client = Client()
    stream: Any = client.get(
        f"/live/t/{thread.pk}/", {"site": blog.key}, headers={"Origin": ORIGIN}
    )
    assert stream.status_code == 200 and stream["Content-Type"] == "text/event-stream"
    assert stream["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in stream
    assert b"".join(stream.streaming_content).startswith(b"event: hello\n")
    for origin, site in [("https://evil.example", blog.key), (ORIGIN, "unknown")]:
        refused: Any = client.get(
            f"/live/t/{thread.pk}/", {"site": site}, headers={"Origin": origin}
        )
        b"".join(refused.streaming_content)
        assert "Access-Control-Allow-Origin" not in refused


def test_all_replies_of_a_thread_for_view_all_in_place(
    blog: EmbeddingSite, thread: Any, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_REPLIES_PER_ROOT = 1
    root = post(thread, guest("g"), "The root", name="G")
    replies = [post(thread, guest(f"r{i}"), f"Reply {i}", parent=root, name="R") for i in range(3)]
    client = Client()
    section = client.get("/embed/thread", {"site": blog.key, "url": PAGE}).content.decode()
    assert f"/discussion/c/{root.pk}/replies/" in section and "Reply 2" not in section
    answer = client.get(f"/embed/replies/{root.pk}", {"site": blog.key})
    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith('<li class="comment-thread">')
    assert all(f'id="comment-{reply.pk}"' in html for reply in replies)
    assert "csrfmiddlewaretoken" not in html and "<script" not in html
    assert html.count("<a ") == html.count('rel="nofollow ugc')
    assert client.get(f"/embed/replies/{replies[0].pk}", {"site": blog.key}).status_code == 404
    other = do_register_site(name="Other", origin_lines=["https://other.example"])
    assert client.get(f"/embed/replies/{root.pk}", {"site": other.key}).status_code == 404
