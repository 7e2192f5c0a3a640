"""The comments API over HTTP: page shape, writes with CSRF, one error shape for every 4xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from broadsheet.api.schemas import CommentOut, CommentPageOut
from broadsheet.discussion.actions import do_delete_comment
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.presentation import author_name
from broadsheet.discussion.testing import big_thread, guest, make_thread, make_user, member, post
from broadsheet.moderation.models import Sanction

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread("article-7", title="Room for the river", url="/politics/river/")


def csrf_client() -> tuple[Client, dict[str, str]]:
    """A browser-like client that must send the CSRF token, and the header that does."""
    client = Client(enforce_csrf_checks=True)
    token = client.get(f"{API}/csrf").json()["csrf_token"]
    return client, {"X-CSRFToken": token}


def send(
    client: Client,
    method: str,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", headers=headers or {}
    )


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["field"] == field
    return error


# --- reading ----------------------------------------------------------------------------


def test_a_page_has_top_level_comments_with_nested_replies(
    client: Client, thread: Thread, rosa: Any
) -> None:
    rosa = member(rosa)
    gabriel = guest("gabriel")
    root = post(thread, rosa, "**Root**")
    reply = post(
        thread, gabriel, "Reply", parent=root, name="Gabriel", email="gabriel@secret.example"
    )
    post(thread, rosa, "Deeper", parent=reply)
    response = client.get(f"{API}/threads/article-7/comments")
    assert response.status_code == 200
    page = response.json()
    assert page["thread"] == {
        "key": "article-7",
        "title": "Room for the river",
        "url": "/politics/river/",
        "comment_count": 3,
        "is_closed": False,
    }
    assert (page["sort"], page["page"], page["has_next"]) == ("newest", 1, False)
    [top] = page["comments"]
    assert top["body_html"] == '<p dir="auto"><strong>Root</strong></p>'
    assert top["author"]["name"] == "Rosa Lindqvist"
    assert top["reply_count"] == 2
    [first] = top["replies"]
    assert (first["author"]["name"], first["author"]["is_guest"], first["reply_to"]) == (
        "Gabriel",
        True,
        "Rosa Lindqvist",
    )
    assert first["replies"][0]["reply_to"] == "Gabriel"
    assert top["url"] == f"/discussion/c/{root.pk}/"


def test_no_answer_ever_contains_an_email_address_or_ip_hash(
    client: Client, thread: Thread
) -> None:
    comment = post(
        thread,
        guest("g", ip_hash="f00dfeedf00dfeed"),
        name="Gabriel",
        email="gabriel@secret.example",
    )
    for url in [f"{API}/threads/article-7/comments", f"{API}/comments/{comment.pk}"]:
        text = client.get(url).content.decode()
        assert "secret.example" not in text
        assert "f00dfeed" not in text
        assert "email" not in text


def test_the_listing_is_exactly_what_its_schema_would_write(
    client: Client, thread: Thread, rosa: Any
) -> None:
    """The listing skips django-ninja's output validation for speed: its JSON must be the
    one the schema would produce, field for field and in order, anchors and deletions too."""
    root = post(thread, member(rosa), "Root")
    reply = post(thread, guest("g"), "Reply", parent=root, website="https://g.example")
    post(thread, guest("h"), "Reply to reply", parent=reply)
    do_delete_comment(comment=reply, actor=guest("g"))
    quoting = post(thread, guest("q"), "About this sentence.")
    Comment.objects.filter(pk=quoting.pk).update(  # as check_anchor would have stored it
        anchor_kind="quote",
        anchor_block_id="5f0c6a9e-0d3c-4a8e-9d57-2b7f3c1e8a10",
        anchor_quote="A sentence.",
        anchor_start=0,
        anchor_end=11,
        anchor_revision="3",
    )
    answer = client.get(f"{API}/threads/{thread.key}/comments?sort=oldest")
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(answer.content)
    expected = CommentPageOut.model_validate(data).model_dump()
    assert answer.content.decode() == json.dumps(expected, cls=NinjaJSONEncoder)
    assert [c["anchor_kind"] for c in data["comments"]] == ["", "quote"]
    assert data["comments"][0]["replies"][0]["status"] == "deleted"


def test_sort_and_page_choose_the_top_level_comments(
    client: Client, thread: Thread, rosa: Any, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 2
    comments = [post(thread, member(rosa), f"comment {n}") for n in range(3)]
    Comment.objects.filter(pk=comments[0].pk).update(upvotes=5, score=5)
    top = client.get(f"{API}/threads/article-7/comments?sort=top").json()
    assert [c["id"] for c in top["comments"]] == [comments[0].pk, comments[2].pk]
    assert top["has_next"] is True
    oldest_2 = client.get(f"{API}/threads/article-7/comments?sort=oldest&page=2").json()
    assert [c["id"] for c in oldest_2["comments"]] == [comments[2].pk]


def test_a_page_costs_the_same_queries_at_any_size(
    client: Client, django_assert_num_queries: Any
) -> None:
    small = big_thread(50, seed=1)
    large = big_thread(2000, seed=2)
    for thread in (small, large):
        client.get(f"{API}/threads/{thread.key}/comments")  # warm nothing: no cache involved
        with django_assert_num_queries(3):  # thread, top-level comments, their replies
            response = client.get(f"{API}/threads/{thread.key}/comments")
        assert response.status_code == 200


def test_my_held_comments_are_listed_to_me_as_pending(
    client: Client, thread: Thread, rosa: Any, settings: Any
) -> None:
    """A held comment shows in its author's listing (as on the HTML page), with its
    status, so a client can mark it "awaiting moderation"; nobody else sees it."""
    root = post(thread, guest("g"), "Published")
    settings.BROADSHEET_MODERATION_MODE = "all"
    held_root = post(thread, member(rosa), "Held")
    held_reply = post(thread, member(rosa), "Held reply", parent=root)
    client.force_login(rosa)
    page = client.get(f"{API}/threads/article-7/comments?sort=oldest").json()
    [published, held] = page["comments"]
    assert (published["id"], published["status"]) == (root.pk, "approved")
    assert (held["id"], held["status"], held["can_edit"]) == (held_root.pk, "pending", True)
    assert [(r["id"], r["status"]) for r in published["replies"]] == [(held_reply.pk, "pending")]
    client.logout()
    others = client.get(f"{API}/threads/article-7/comments").json()["comments"]
    assert [(c["id"], c["status"], c["replies"]) for c in others] == [(root.pk, "approved", [])]


def test_a_shadow_banned_author_sees_their_comment_as_published(
    client: Client, thread: Thread, rosa: Any
) -> None:
    """The listing keeps the HTML page's rule: a shadow-ban is never revealed."""
    Sanction.objects.create(kind="shadow_ban", user=rosa)
    comment = post(thread, member(rosa), "Nobody hears me.")
    assert comment.status == Comment.Status.PENDING
    client.force_login(rosa)
    [listed] = client.get(f"{API}/threads/article-7/comments").json()["comments"]
    assert (listed["id"], listed["status"]) == (comment.pk, "approved")


def test_one_comment_answers_its_author_as_the_listing_does_and_moderators_the_verdict(
    client: Client, thread: Thread, rosa: Any
) -> None:
    Sanction.objects.create(kind="shadow_ban", user=rosa)
    comment = post(thread, member(rosa), "Nobody hears me.")
    client.force_login(rosa)
    assert client.get(f"{API}/comments/{comment.pk}").json()["status"] == "approved"
    client.force_login(make_user(moderator=True))
    assert client.get(f"{API}/comments/{comment.pk}").json()["status"] == "pending"


def test_a_page_costs_me_the_same_queries_at_any_size(
    client: Client, rosa: Any, django_assert_num_queries: Any, settings: Any
) -> None:
    """Signed in, my own held comments are looked for in the same two queries."""
    client.force_login(rosa)
    for thread in (big_thread(50, seed=1), big_thread(2000, seed=2)):
        post(thread, member(rosa), "Mine")
        client.get(f"{API}/threads/{thread.key}/comments")
        # session (in the database unless sessions live in Redis), user, thread,
        # top-level comments, their replies, my votes, and my permissions (user's and
        # groups', once: may I delete others' comments?)
        session = int(settings.SESSION_ENGINE.endswith(".db"))
        with django_assert_num_queries(session + 7):
            response = client.get(f"{API}/threads/{thread.key}/comments")
        assert response.status_code == 200


def test_one_comment(client: Client, thread: Thread) -> None:
    comment = post(thread, guest("g"), "Hello")
    body = client.get(f"{API}/comments/{comment.pk}").json()
    assert (body["id"], body["status"], body["my_vote"], body["can_edit"]) == (
        comment.pk,
        "approved",
        0,
        False,
    )


def test_unknown_threads_and_comments_answer_404_in_the_error_shape(
    client: Client, thread: Thread
) -> None:
    assert_error(client.get(f"{API}/threads/nope/comments"), 404, "not_found")
    assert_error(client.get(f"{API}/comments/999999"), 404, "not_found")


def test_held_comments_are_not_found_by_other_readers(client: Client, thread: Thread) -> None:
    comment = post(thread, guest("g"))
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    assert_error(client.get(f"{API}/comments/{comment.pk}"), 404, "not_found")


def test_a_bad_query_parameter_is_a_422_in_the_error_shape(client: Client, thread: Thread) -> None:
    assert_error(client.get(f"{API}/threads/article-7/comments?page=0"), 422, "invalid", "page")
    assert_error(
        client.get(f"{API}/threads/article-7/comments?sort=loudest"), 422, "invalid", "sort"
    )


# --- writing ----------------------------------------------------------------------------


def test_writes_without_the_csrf_token_are_refused(thread: Thread) -> None:
    client, _ = csrf_client()
    response = send(
        client,
        "post",
        f"{API}/threads/article-7/comments",
        {"body": "Hi", "name": "G", "email": "g@example.org"},
    )
    assert_error(response, 403, "csrf_failed")
    assert not Comment.objects.exists()


def test_a_guest_posts_then_edits_from_the_same_browser(thread: Thread) -> None:
    client, headers = csrf_client()
    created = send(
        client,
        "post",
        f"{API}/threads/article-7/comments",
        {"body": "Frist", "name": "Gabriel", "email": "g@example.org"},
        headers,
    )
    assert created.status_code == 201, created.content
    comment = created.json()
    assert (comment["author"]["name"], comment["can_edit"], comment["status"]) == (
        "Gabriel",
        True,
        "approved",
    )
    assert "bs_reader" in created.cookies
    edited = send(client, "patch", f"{API}/comments/{comment['id']}", {"body": "First"}, headers)
    assert edited.status_code == 200
    assert edited.json()["body_html"] == '<p dir="auto">First</p>'
    assert edited.json()["edited_at"]


def test_a_posted_reply_is_answered_exactly_as_its_schema_would_write_it(
    thread: Thread, rosa: Any
) -> None:
    """Posting also skips django-ninja's output validation (the hot write path)."""
    root = post(thread, member(rosa), "Root")
    client, headers = csrf_client()
    created = send(
        client,
        "post",
        f"{API}/threads/{thread.key}/comments",
        {"body": "A *reply*", "name": "Gabriel", "email": "g@example.org", "parent_id": root.pk},
        headers,
    )
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(created.content)
    expected = CommentOut.model_validate(data).model_dump()
    assert created.content.decode() == json.dumps(expected, cls=NinjaJSONEncoder)
    assert (data["reply_to"], data["parent_id"], data["status"]) == (
        author_name(root),
        root.pk,
        "approved",
    )
    assert "bs_reader" in created.cookies


def test_somebody_else_cannot_edit_or_delete(thread: Thread) -> None:
    comment = post(thread, guest("gabriel"))
    client, headers = csrf_client()
    assert_error(
        send(client, "patch", f"{API}/comments/{comment.pk}", {"body": "Mine now"}, headers),
        403,
        "forbidden",
    )
    assert_error(client.delete(f"{API}/comments/{comment.pk}", headers=headers), 403, "forbidden")


def test_a_signed_in_reader_replies(thread: Thread, rosa: Any) -> None:
    root = post(thread, guest("g"))
    client, headers = csrf_client()
    client.force_login(rosa)  # a new session: ask for a token again
    headers = {"X-CSRFToken": client.get(f"{API}/csrf").json()["csrf_token"]}
    response = send(
        client,
        "post",
        f"{API}/threads/article-7/comments",
        {"body": "Agreed", "parent_id": root.pk},
        headers,
    )
    assert response.status_code == 201, response.content
    assert (
        response.json()["parent_id"],
        response.json()["root_id"],
        response.json()["reply_to"],
    ) == (root.pk, root.pk, "Gabriel")


def test_field_errors_name_the_field(thread: Thread) -> None:
    client, headers = csrf_client()
    url = f"{API}/threads/article-7/comments"
    assert_error(
        send(client, "post", url, {"body": "Hi", "name": "", "email": "g@example.org"}, headers),
        400,
        "invalid",
        "name",
    )
    assert_error(
        send(client, "post", url, {"body": " ", "name": "G", "email": "g@example.org"}, headers),
        400,
        "invalid",
        "body",
    )
    assert_error(send(client, "post", url, {"name": "G"}, headers), 422, "invalid", "body")


def test_replying_to_an_unknown_comment_is_404(thread: Thread) -> None:
    client, headers = csrf_client()
    response = send(
        client,
        "post",
        f"{API}/threads/article-7/comments",
        {"body": "Hi", "parent_id": 424242, "name": "G", "email": "g@example.org"},
        headers,
    )
    assert_error(response, 404, "not_found")


def test_posting_too_fast_is_429(thread: Thread, settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (1, 60)
    client, headers = csrf_client()
    body = {"body": "Hi", "name": "G", "email": "g@example.org"}
    assert (
        send(client, "post", f"{API}/threads/article-7/comments", body, headers).status_code == 201
    )
    assert_error(
        send(client, "post", f"{API}/threads/article-7/comments", body, headers),
        429,
        "rate_limited",
    )


def test_a_closed_discussion_refuses_new_comments(thread: Thread) -> None:
    Thread.objects.filter(pk=thread.pk).update(is_closed=True)
    client, headers = csrf_client()
    response = send(
        client,
        "post",
        f"{API}/threads/article-7/comments",
        {"body": "Hi", "name": "G", "email": "g@example.org"},
        headers,
    )
    assert assert_error(response, 403, "forbidden")["message"] == "Comments are closed."


def test_deleting_a_comment_with_replies_leaves_a_placeholder(thread: Thread, rosa: Any) -> None:
    root = post(thread, member(rosa))
    post(thread, guest("g"), parent=root)
    client, headers = csrf_client()
    client.force_login(rosa)
    headers = {"X-CSRFToken": client.get(f"{API}/csrf").json()["csrf_token"]}
    response = client.delete(f"{API}/comments/{root.pk}", headers=headers)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["body_html"], response.json()["author"]) == (
        "deleted",
        "",
        None,
    )
    page = client.get(f"{API}/threads/article-7/comments").json()
    assert page["comments"][0]["status"] == "deleted"
    assert len(page["comments"][0]["replies"]) == 1


def test_votes_set_switch_and_take_back(thread: Thread) -> None:
    comment = post(thread, guest("author"))
    client, headers = csrf_client()
    url = f"{API}/comments/{comment.pk}/vote"
    assert send(client, "post", url, {"value": 1}, headers).json() == {
        "upvotes": 1,
        "downvotes": 0,
        "score": 1,
        "my_vote": 1,
    }
    assert send(client, "post", url, {"value": -1}, headers).json() == {
        "upvotes": 0,
        "downvotes": 1,
        "score": -1,
        "my_vote": -1,
    }
    assert send(client, "post", url, {"value": 0}, headers).json() == {
        "upvotes": 0,
        "downvotes": 0,
        "score": 0,
        "my_vote": 0,
    }
    assert client.get(f"{API}/comments/{comment.pk}").json()["my_vote"] == 0


def test_a_vote_must_be_one_minus_one_or_zero(thread: Thread) -> None:
    comment = post(thread, guest("author"))
    client, headers = csrf_client()
    assert_error(
        send(client, "post", f"{API}/comments/{comment.pk}/vote", {"value": 2}, headers),
        422,
        "invalid",
        "value",
    )


def test_nobody_votes_on_their_own_comment(thread: Thread) -> None:
    client, headers = csrf_client()
    created = send(
        client,
        "post",
        f"{API}/threads/article-7/comments",
        {"body": "Mine", "name": "G", "email": "g@example.org"},
        headers,
    ).json()
    assert_error(
        send(client, "post", f"{API}/comments/{created['id']}/vote", {"value": 1}, headers),
        403,
        "forbidden",
    )


def test_votes_on_a_deleted_comment_are_refused(thread: Thread, rosa: Any) -> None:
    as_rosa: Actor = member(rosa)
    comment = do_delete_comment(comment=post(thread, as_rosa), actor=as_rosa)
    client, headers = csrf_client()
    assert_error(
        send(client, "post", f"{API}/comments/{comment.pk}/vote", {"value": 1}, headers),
        400,
        "invalid",
    )


# --- the schema -------------------------------------------------------------------------


def test_the_openapi_schema_declares_every_error_answer(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    writes = [
        paths["/api/v1/threads/{key}/comments"]["post"],
        paths["/api/v1/comments/{comment_id}"]["patch"],
        paths["/api/v1/comments/{comment_id}"]["delete"],
        paths["/api/v1/comments/{comment_id}/vote"]["post"],
    ]
    for operation in writes:
        assert {"400", "403", "404", "422", "429"} <= set(operation["responses"]), operation[
            "summary"
        ]
    for operation in [
        paths["/api/v1/threads/{key}/comments"]["get"],
        paths["/api/v1/comments/{comment_id}"]["get"],
    ]:
        assert {"404", "422"} <= set(operation["responses"])
    text = json.dumps(schema)
    assert "ip_hash" not in text
    assert '"email"' in text  # only as an input of CommentIn
    assert "email" not in json.dumps(schema["components"]["schemas"]["CommentOut"])


def test_moments_are_written_as_the_schemas_encoder_writes_them() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from broadsheet.api.comments import json_moment

    encoder = NinjaJSONEncoder()
    for moment in (
        datetime(2026, 12, 5, 21, 30, 0, tzinfo=UTC),
        datetime(2026, 12, 5, 21, 30, 0, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 21, 30, 0, 999, tzinfo=UTC),
        datetime(1999, 1, 2, 3, 4, 5, 600000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 3, 29, 1, 0, 0, 1, tzinfo=timezone(timedelta(hours=-3))),
    ):
        assert json_moment(moment) == encoder.default(moment)
