"""The embed's endpoints: the fragment (server-side include), the iframe page, counts,
identity tokens, reports, and CORS for embedding sites only."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.articles.languages import language_policy
from broadsheet.discussion.models import Comment, CommentVote
from broadsheet.discussion.testing import guest, post
from broadsheet.embed.actions import do_register_page
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.tests.conftest import PAGE
from broadsheet.moderation.models import Report

ORIGIN = "https://blog.example.org"


def _fragment(client: Client, site: EmbeddingSite, **headers: str) -> Any:
    return client.get(
        "/embed/thread", {"site": site.key, "url": PAGE, "title": "River plan"}, headers=headers
    )


def _seeded(site: EmbeddingSite) -> Any:
    thread = do_register_page(site=site, url=PAGE, title="River plan")
    post(
        thread,
        guest("g1"),
        "See [the plan](https://example.net/plan) and *think*",
        name="Gabriel",
        email="g@example.org",
    )
    return thread


def test_the_include_shows_comments_without_javascript(client: Client, blog: EmbeddingSite) -> None:
    _seeded(blog)
    response = _fragment(client, blog)
    html = response.content.decode()
    assert response.status_code == 200
    assert "the plan" in html and "Gabriel" in html
    assert 'data-thread-key="site:' in html
    # Every link is nofollow ugc; our own addresses are absolute (the fragment lives on
    # another site's page); no per-request CSRF field in a shared, cacheable fragment.
    assert 'href="http://testserver/' in html and 'action="/' not in html
    anchors = html.count("<a ")
    assert anchors and html.count('rel="nofollow ugc') == anchors
    assert "csrfmiddlewaretoken" not in html
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in response and not response.cookies


def test_the_include_revalidates_with_its_etag(client: Client, blog: EmbeddingSite) -> None:
    thread = _seeded(blog)
    tag = _fragment(client, blog)["ETag"]
    again = _fragment(client, blog, **{"If-None-Match": tag})
    assert again.status_code == 304 and again["ETag"] == tag
    post(thread, guest("g2"), "New", name="L", email="l@example.org")
    changed = _fragment(client, blog, **{"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_the_fragment_refuses_other_sites_and_unknown_keys(
    client: Client, blog: EmbeddingSite
) -> None:
    evil = client.get("/embed/thread", {"site": blog.key, "url": "https://evil.example/p"})
    assert evil.status_code == 403
    cross = _fragment(client, blog, Origin="https://evil.example")
    assert cross.status_code == 403 and "Access-Control-Allow-Origin" not in cross
    assert client.get("/embed/thread", {"site": "nope", "url": PAGE}).status_code == 404


def test_cors_only_for_the_sites_origins(client: Client, blog: EmbeddingSite) -> None:
    ok = _fragment(client, blog, Origin=ORIGIN)
    assert ok["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in ok
    preflight = client.options(
        "/api/v1/threads/x/comments",
        headers={
            "Origin": "http://localhost:8812",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-broadsheet-reader",
        },
    )
    assert preflight.status_code == 204
    assert "X-Broadsheet-Reader" in preflight["Access-Control-Allow-Headers"]
    refused = client.options(
        "/api/v1/threads/x/comments",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


def test_the_iframe_page_may_be_framed_by_the_site_only(
    client: Client, blog: EmbeddingSite
) -> None:
    _seeded(blog)
    response = client.get("/embed/frame", {"site": blog.key, "url": PAGE})
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors https://blog.example.org http://localhost:*" in policy
    assert "script-src 'self'" in policy
    assert b'data-parent-origin="https://blog.example.org"' in response.content


def test_counts_for_a_listing_in_one_query(client: Client, blog: EmbeddingSite) -> None:
    _seeded(blog)
    other = "https://blog.example.org/2026/11/other/"
    language_policy()  # the publication's language: read once per settings change
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/embed/counts",
            {"site": blog.key, "page": [PAGE + "?utm_source=x", other, "https://evil.example/"]},
        )
    counts = response.json()["counts"]
    assert counts == {PAGE + "?utm_source=x": 1, other: 0}
    assert len(queries) == 2  # the site, the counts


def test_a_guest_posts_votes_and_reports_with_a_token_and_no_cookie(
    blog: EmbeddingSite,
) -> None:
    thread = _seeded(blog)
    browser = Client(enforce_csrf_checks=True)
    token = browser.post(f"/embed/reader?site={blog.key}", headers={"Origin": ORIGIN}).json()[
        "token"
    ]
    identity = {"X-Broadsheet-Reader": token, "Origin": ORIGIN}
    posted = browser.post(
        f"/api/v1/threads/{thread.key}/comments",
        data=json.dumps({"body": "From the blog", "name": "Layla", "email": "l@example.org"}),
        content_type="application/json",
        headers=identity,
    )
    assert posted.status_code == 201, posted.content
    assert posted["Access-Control-Allow-Origin"] == ORIGIN
    assert not posted.cookies  # no reader cookie, no CSRF cookie
    mine = Comment.objects.get(pk=posted.json()["id"])
    first = Comment.objects.exclude(pk=mine.pk).get()
    voted = browser.post(
        f"/api/v1/comments/{first.pk}/vote",
        data=json.dumps({"value": 1}),
        content_type="application/json",
        headers=identity,
    )
    assert voted.json()["my_vote"] == 1
    assert CommentVote.objects.get().voter_key.startswith("r:")
    reported = browser.post(
        f"/embed/report/{first.pk}?site={blog.key}", {"reason": "spam"}, headers=identity
    )
    assert reported.status_code == 200 and Report.objects.count() == 1
    # The same token is the same guest: the fragment shows the vote as mine, privately.
    fragment = browser.get("/embed/thread", {"site": blog.key, "url": PAGE}, headers=identity)
    assert 'aria-pressed="true"' in fragment.content.decode()
    assert fragment["Cache-Control"] == "private, no-cache"


def test_without_token_or_csrf_a_cookie_write_is_refused(blog: EmbeddingSite) -> None:
    thread = _seeded(blog)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        f"/api/v1/threads/{thread.key}/comments",
        data=json.dumps({"body": "x", "name": "L", "email": "l@example.org"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    first = Comment.objects.get()
    report = browser.post(f"/embed/report/{first.pk}?site={blog.key}", {"reason": "spam"})
    assert report.status_code == 403


def test_a_forged_token_is_nobody(blog: EmbeddingSite) -> None:
    thread = _seeded(blog)
    response = Client().post(
        f"/api/v1/threads/{thread.key}/comments",
        data=json.dumps({"body": "x", "name": "L", "email": "l@example.org"}),
        content_type="application/json",
        headers={"X-Broadsheet-Reader": "forged:token"},
    )
    # A guest without identity may still post (guests allowed) but owns nothing later.
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        assert Comment.objects.get(pk=response.json()["id"]).guest_reader_id == ""


def test_the_signin_popup_hands_a_token_to_allowed_origins_only(blog: EmbeddingSite) -> None:
    from broadsheet.discussion.testing import make_user

    make_user("rosa", name="Rosa Lindqvist")
    client = Client()
    refused = client.get("/embed/signin", {"site": blog.key, "origin": "https://evil.example"})
    assert refused.status_code == 403
    query = f"?site={blog.key}&origin={ORIGIN}"
    signed_in = client.post(
        "/embed/signin" + query, {"username": "rosa", "password": "a long pass phrase"}
    )
    html = signed_in.content.decode()
    assert signed_in.status_code == 200 and 'data-token="' in html
    assert f'data-origin="{ORIGIN}"' in html
    assert signed_in["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_the_signin_popup_limits_guessing(blog: EmbeddingSite) -> None:
    client = Client()
    query = f"?site={blog.key}&origin={ORIGIN}"
    answers = [
        client.post("/embed/signin" + query, {"username": "x", "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert answers[:10] == [200] * 10 and answers[10] == 429
