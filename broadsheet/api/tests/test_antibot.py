"""The API passes the comment form's anti-bot fields to the moderation pipeline as the HTML
form does: a filled honeypot marks the comment spam, whichever way it was sent."""

from __future__ import annotations

import pytest

from broadsheet.api.tests.test_comments import API, csrf_client, send
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_thread

pytestmark = pytest.mark.django_db

GUEST = {"name": "Gabriel", "email": "gabriel@example.org"}


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread("article-8", title="Room for the river", url="/politics/river/")


def test_a_filled_honeypot_is_spam_through_the_api(thread: Thread) -> None:
    client, headers = csrf_client()
    url = f"{API}/threads/{thread.key}/comments"
    bot = send(client, "post", url, {"body": "Cheap pills.", "homepage": "x", **GUEST}, headers)
    human = send(client, "post", url, {"body": "A fair point.", "homepage": "", **GUEST}, headers)
    assert (bot.status_code, human.status_code) == (201, 201)
    statuses = dict(Comment.objects.values_list("body_source", "status"))
    assert statuses == {"Cheap pills.": "spam", "A fair point.": "approved"}
    assert (
        Comment.objects.get(status=Comment.Status.SPAM).moderation_reason
        == "hidden field filled in"
    )
