"""Download my data, and delete my account (comments anonymised or removed)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.accounts.models import Profile
from broadsheet.accounts.tests.test_profile import jpeg_with_exif, upload
from broadsheet.articles.languages import language_policy
from broadsheet.discussion.actions import do_cast_vote
from broadsheet.discussion.models import Comment, CommentVote, Thread
from broadsheet.discussion.testing import make_thread, member, post, thread_inconsistencies
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _engine_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"


@pytest.fixture
def river(db: None) -> Thread:
    return make_thread(title="Room for the river", url="/politics/room-for-the-river/")


def test_download_my_data_has_account_profile_comments_and_votes(
    client: Client, rosa: Any, layla: Any, river: Thread
) -> None:
    Profile.objects.create(user=rosa, display_name="Rosa L.", bio="River person.")
    mine = post(river, member(rosa), "The council should publish the **model**.")
    theirs = post(river, member(layla), "Layla's private thoughts.")
    do_cast_vote(comment=theirs, actor=member(rosa), value=1)
    client.force_login(rosa)

    answer = client.get("/me/data.json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"].startswith('attachment; filename="broadsheet-rosa-')
    assert "no-store" in answer["Cache-Control"] or "no-cache" in answer["Cache-Control"]
    data = json.loads(answer.content)
    assert data["account"]["username"] == "rosa"
    assert data["account"]["email_addresses"] == [
        {"email": "rosa@example.org", "verified": True, "primary": True}
    ]
    assert data["profile"] == {
        "display_name": "Rosa L.",
        "bio": "River person.",
        "avatar_url": None,
    }
    [comment] = data["comments"]
    assert comment["id"] == mine.pk
    assert comment["body"] == "The council should publish the **model**."
    assert comment["thread"] == {
        "title": "Room for the river",
        "url": "/politics/room-for-the-river/",
    }
    assert comment["url"] == f"/discussion/c/{mine.pk}/"
    assert data["comment_votes"] == [
        {"comment_id": theirs.pk, "value": 1, "at": data["comment_votes"][0]["at"]}
    ]
    assert "Layla's private thoughts" not in answer.content.decode()


def test_the_export_costs_the_same_queries_for_many_comments(
    client: Client, rosa: Any, river: Thread
) -> None:
    client.force_login(rosa)
    language_policy()  # read once per settings change, not per request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/me/data.json")
        return len(captured)

    post(river, member(rosa), "One.")
    one = queries()
    for n in range(8):
        post(make_thread(), member(rosa), f"More {n}.")
    assert queries() == one


def test_the_export_needs_an_account(client: Client) -> None:
    assert client.get("/me/data.json").status_code == 302


def test_deleting_needs_the_right_password(client: Client, rosa: Any) -> None:
    client.force_login(rosa)
    answer = client.post("/me/delete/", {"password": "wrong"})
    assert answer.status_code == 400
    assert "That password is not right." in answer.content.decode()
    assert get_user_model().objects.filter(pk=rosa.pk).exists()


def test_delete_my_account_keeps_my_comments_as_deleted_user(
    client: Client,
    rosa: Any,
    layla: Any,
    river: Thread,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mine = post(river, member(rosa), "Rosa's point about the dykes.")
    post(river, member(layla), "Layla answers.", parent=mine)
    do_cast_vote(comment=post(river, member(layla), "Layla alone."), actor=member(rosa), value=1)
    client.force_login(rosa)
    client.post("/me/profile/", {"display_name": "Rosa L.", "avatar": upload(jpeg_with_exif())})
    avatar = Profile.objects.get(user=rosa).avatar
    storage, avatar_name = avatar.storage, str(avatar.name)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/me/delete/", {"password": PASSWORD})
    assert answer.status_code == 200
    assert "Your account is deleted" in answer.content.decode()
    assert not get_user_model().objects.filter(username="rosa").exists()
    assert not Profile.objects.exists() and not storage.exists(avatar_name)
    assert client.get("/me/").status_code == 302  # signed out

    kept = Comment.objects.get(pk=mine.pk)
    assert (kept.author_id, kept.status, kept.body_source) == (
        None,
        Comment.Status.APPROVED,
        "Rosa's point about the dykes.",
    )
    page = Client().get(f"/discussion/t/{river.pk}/").content.decode()
    assert "[deleted user]" in page
    assert "Rosa L." not in page and ">rosa<" not in page and "Rosa Lindqvist" not in page
    assert thread_inconsistencies(river) == []
    assert CommentVote.objects.count() == 1  # the tally stands, tied to no one


def test_delete_my_account_can_remove_my_comments(
    client: Client, rosa: Any, layla: Any, river: Thread, settings: Any
) -> None:
    settings.BROADSHEET_ACCOUNTS_DELETE_COMMENTS = "remove"
    answered = post(river, member(rosa), "Rosa's answered comment.")
    post(river, member(layla), "Layla answers.", parent=answered)
    alone = post(river, member(rosa), "Rosa's lonely comment.")
    client.force_login(rosa)
    assert "Your comments are deleted too" in client.get("/me/delete/").content.decode()

    assert client.post("/me/delete/", {"password": PASSWORD}).status_code == 200
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[answered.pk] == statuses[alone.pk] == Comment.Status.DELETED
    assert Comment.objects.get(pk=answered.pk).body_source == ""
    river.refresh_from_db()
    assert river.comment_count == 1
    assert thread_inconsistencies(river) == []
    page = Client().get(f"/discussion/t/{river.pk}/").content.decode()
    assert "[deleted]" in page and "Layla answers." in page
    assert "Rosa&#x27;s" not in page and "lonely" not in page


def test_an_administrator_cannot_delete_their_own_account_here(client: Client, ada: Any) -> None:
    client.force_login(ada)
    answer = client.post("/me/delete/", {"password": PASSWORD})
    assert answer.status_code == 403
    assert "deleted by another administrator" in answer.content.decode()
    assert get_user_model().objects.filter(pk=ada.pk).exists()
