"""Hostile input to the HTML forms and pages: the same boundary as the API's (core.text,
core.ids), answered with the form again and its error, or a 404; never a 500, never a
silently changed text, never a reply turned into a new top-level comment."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post
from broadsheet.moderation.rules.honeypot import sign_render_time

pytestmark = pytest.mark.django_db

GUEST = {"name": "Gabriel", "email": "gabriel@example.org"}
BIG = 2**63


def post_form(thread: Thread, **data: Any) -> Any:
    return Client().post(reverse("discussion:post", args=[thread.pk]), {**GUEST, **data})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "Before\x00after"),
        ("body", "bell\x07"),
        ("body", "\ufdd0"),
        ("name", "Gab\x00riel"),
        ("name", "Gabriel\nBcc: all@example.org"),
        ("website", "https://evil.example/?t=\x00csrf\x00"),
    ],
)
def test_the_form_refuses_what_the_api_refuses_and_keeps_the_text(
    thread: Thread, field: str, value: str
) -> None:
    response = post_form(thread, **{"body": "Fine", field: value})
    assert response.status_code == 400
    assert "please remove it" in response.content.decode() or "one line" in (
        response.content.decode()
    )
    assert not Comment.objects.exists()


def test_the_form_stores_line_ends_as_newlines(thread: Thread) -> None:
    assert post_form(thread, body="one\r\ntwo").status_code == 302
    assert Comment.objects.get().body_source == "one\ntwo"


@pytest.mark.parametrize("parent", ["999999", str(BIG), "99999999999999999999", "²", "٣", "x"])
def test_a_reply_to_no_comment_of_this_discussion_is_refused(thread: Thread, parent: str) -> None:
    response = post_form(thread, body="A reply", parent=parent)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_to_a_comment_of_another_discussion_is_refused(
    thread: Thread, guest_gabriel: Actor
) -> None:
    other = Thread.objects.create(key="other", title="Other", url="/other/")
    elsewhere = post(other, guest_gabriel, "Elsewhere", name="G")
    response = post_form(thread, body="A reply", parent=str(elsewhere.pk))
    assert response.status_code == 400
    assert not thread.comments.exists()


def test_a_forged_render_stamp_is_spam_even_with_the_time_check_off(thread: Thread) -> None:
    assert post_form(thread, body="Forged", rendered="12345").status_code == 302
    assert post_form(thread, body="Real", rendered=sign_render_time(time.time() - 60))
    statuses = dict(Comment.objects.values_list("body_source", "status"))
    assert statuses == {"Forged": "spam", "Real": "approved"}


def test_an_edit_refuses_a_control_character(thread: Thread, reader_rosa: Actor, rosa: Any) -> None:
    comment = post(thread, reader_rosa, "Original")
    client = Client()
    client.force_login(rosa)
    response = client.post(reverse("discussion:edit", args=[comment.pk]), {"body": "Ed\x00it"})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body_source == "Original"


def test_a_preview_refuses_a_control_character(thread: Thread) -> None:
    response = Client().post(
        reverse("discussion:preview", args=[thread.pk]), {"body": "Pre\x1bview"}
    )
    assert "please remove it" in response.content.decode()


@pytest.mark.parametrize("number", [str(BIG), "99999999999999999999"])
def test_ids_past_a_database_key_in_addresses_are_404s(thread: Thread, number: str) -> None:
    client = Client()
    for response in (
        client.post(f"/discussion/c/{number}/vote/", {"value": "up"}),
        client.get(f"/discussion/c/{number}/"),
        client.get(f"/discussion/t/{number}/"),
        client.post(f"/react/{number}/", {"value": "up"}),
        client.post(f"/notify/t/{number}/subscribe/", {"email": "g@example.org"}),
        client.get(f"/moderation/report/{number}/"),
    ):
        assert response.status_code == 404


@pytest.mark.parametrize("page", ["460000000000000000", str(BIG - 1), str(BIG), "²", "-1"])
def test_any_page_number_in_the_query_answers_a_page(thread: Thread, page: str) -> None:
    assert Client().get(f"/discussion/t/{thread.pk}/?cpage={page}").status_code == 200


def test_a_nul_in_a_query_filter_is_no_server_error(thread: Thread, guest_gabriel: Actor) -> None:
    root = post(thread, guest_gabriel, "Root", name="G")
    client = Client()
    assert client.get(f"/discussion/c/{root.pk}/replies/?after=%00").status_code == 200
    assert client.get("/search/?q=a%00b").status_code == 200
