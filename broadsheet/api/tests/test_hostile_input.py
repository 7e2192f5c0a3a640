"""Hostile input to the API: every refusal a documented 4xx in the one error shape, never
a 500, and nothing stored. Each case here answered a 5xx, an HTML page, an undocumented
code or a stored comment before the boundary of core.text / core.ids."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from broadsheet.api.tests.test_comments import API, assert_error, csrf_client, send
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_thread, post

pytestmark = pytest.mark.django_db

GUEST = {"name": "Gabriel", "email": "gabriel@example.org"}
BIG = 2**63


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread("article-7", title="Room for the river", url="/politics/river/")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "Hello\x00world"),
        ("body", "\ud800"),
        ("body", "bell\x07"),
        ("body", "\ufffe"),
        ("name", "Gab\x00riel"),
        ("name", "Gabriel\r\nBcc: all@example.org"),
        ("website", "https://evil.example/?t=\x00csrf\x00"),
        ("email", "g\x00@example.org"),
    ],
)
def test_text_no_store_can_hold_is_refused_with_its_field(
    thread: Thread, field: str, value: str
) -> None:
    client, headers = csrf_client()
    body = {"body": "Fine", **GUEST, field: value}
    response = send(client, "post", f"{API}/threads/article-7/comments", body, headers)
    assert_error(response, 422, "invalid", field)
    assert not Comment.objects.exists()


def test_a_lone_surrogate_in_raw_json_is_a_422_not_a_500(thread: Thread) -> None:
    client, headers = csrf_client()
    raw = '{"body": "\\ud800 hi", "name": "G", "email": "g@example.org"}'
    response = client.post(
        f"{API}/threads/article-7/comments", raw, content_type="application/json", headers=headers
    )
    assert_error(response, 422, "invalid", "body")


def test_carriage_returns_are_stored_as_newlines(thread: Thread) -> None:
    client, headers = csrf_client()
    body = {"body": "one\r\ntwo", **GUEST}
    response = send(client, "post", f"{API}/threads/article-7/comments", body, headers)
    assert response.status_code == 201, response.content
    assert Comment.objects.get().body_source == "one\ntwo"


def test_the_schema_declares_every_length_limit() -> None:
    schema = Client().get(f"{API}/openapi.json").json()["components"]["schemas"]
    fields = schema["CommentIn"]["properties"]
    assert fields["body"]["maxLength"] == 10_000
    assert fields["name"]["maxLength"] == 60
    assert fields["email"]["maxLength"] == 254
    assert fields["website"]["maxLength"] == 300
    assert fields["anchor_quote"]["maxLength"] == 1_000
    assert schema["CommentEditIn"]["properties"]["body"]["maxLength"] == 10_000
    parent = fields["parent_id"]["anyOf"][0]
    assert parent["maximum"] == BIG - 1 and parent["minimum"] == 1


def test_a_parent_id_past_a_database_key_is_a_422(thread: Thread) -> None:
    client, headers = csrf_client()
    body = {"body": "Reply", **GUEST, "parent_id": BIG}
    response = send(client, "post", f"{API}/threads/article-7/comments", body, headers)
    assert_error(response, 422, "invalid", "parent_id")


def test_a_page_past_any_offset_is_a_422(thread: Thread) -> None:
    response = Client().get(f"{API}/threads/article-7/comments?page=460000000000000000")
    assert_error(response, 422, "invalid", "page")


@pytest.mark.parametrize("value", [True, 1.0, "1", 2, None])
def test_a_vote_is_exactly_minus_one_zero_or_one(thread: Thread, value: Any) -> None:
    comment = post(thread, guest("layla"), "Vote on me", name="Layla")
    client, headers = csrf_client()
    response = send(client, "post", f"{API}/comments/{comment.pk}/vote", {"value": value}, headers)
    assert_error(response, 422, "invalid", "value")
    comment.refresh_from_db()
    assert comment.upvotes == 0


@pytest.mark.parametrize("comment_id", [str(BIG), "99999999999999999999", "null", "²", "1.5"])
def test_an_id_the_api_cannot_read_is_its_json_404(comment_id: str) -> None:
    client, headers = csrf_client()
    for response in (
        client.get(f"{API}/comments/{comment_id}"),
        send(client, "post", f"{API}/comments/{comment_id}/vote", {"value": 1}, headers),
        send(client, "patch", f"{API}/comments/{comment_id}", {"body": "x"}, headers),
    ):
        assert response["Content-Type"].startswith("application/json")
        assert_error(response, 404, "not_found")


def test_a_body_that_is_not_json_has_a_documented_code(thread: Thread) -> None:
    client, headers = csrf_client()
    response = client.post(
        f"{API}/threads/article-7/comments",
        "{not json",
        content_type="application/json",
        headers=headers,
    )
    assert_error(response, 400, "malformed")


def test_csrf_is_answered_before_the_body_is_read(thread: Thread) -> None:
    comment = post(thread, guest("layla"), "Vote on me", name="Layla")
    client = Client(enforce_csrf_checks=True)
    for method, url, body in (
        ("post", f"{API}/threads/article-7/comments", {"body": 7}),
        ("post", f"{API}/comments/{comment.pk}/vote", {"value": "lots"}),
        ("patch", f"{API}/comments/{comment.pk}", {}),
    ):
        response = getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json"
        )
        assert_error(response, 403, "csrf_failed")


def test_a_thread_key_no_store_can_hold_is_the_json_404() -> None:
    # PostgreSQL refuses a NUL in a query: found by tests/test_hostile_walk.py.
    response = Client().get(f"{API}/threads/%00/comments")
    assert_error(response, 404, "not_found")
