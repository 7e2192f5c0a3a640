"""The edit form looks like the comment it edits (author and avatar, as readers see them)
and says how long the comment can still be edited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import make_thread, make_user, member, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa_and_her_comment() -> tuple[Client, Comment]:
    rosa = make_user("rosa", name="Rosa Lindqvist")
    comment = post(make_thread(), member(rosa), "The council should publish the model.")
    client = Client()
    client.force_login(rosa)
    return client, comment


def test_the_edit_form_shows_whose_comment_it_is_and_the_time_left(
    rosa_and_her_comment: tuple[Client, Comment],
) -> None:
    client, comment = rosa_and_her_comment
    for headers in ({}, {"HX-Request": "true"}):  # the page (no JS) and the fragment
        html = client.get(f"/discussion/c/{comment.pk}/edit/", headers=headers).content.decode()
        assert '<div class="comment__meta comment-form__byline">' in html
        assert '<img class="avatar comment__avatar" src="' in html
        assert '<span class="comment__author" dir="auto">Rosa Lindqvist</span>' in html
        assert "You can edit this comment for 14\xa0minutes more (until" in html


def test_the_form_says_when_the_time_to_edit_is_over(
    rosa_and_her_comment: tuple[Client, Comment], settings: Any
) -> None:
    client, comment = rosa_and_her_comment
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    html = client.get(f"/discussion/c/{comment.pk}/edit/").content.decode()
    assert "The time to edit this comment is over." in html
