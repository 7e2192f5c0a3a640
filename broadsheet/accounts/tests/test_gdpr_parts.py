"""Download my data: subscriptions, reports and article reactions are in it too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from broadsheet.articles.actions import do_cast_reaction
from broadsheet.articles.testing import make_article
from broadsheet.discussion.testing import make_thread, member, post
from broadsheet.moderation.actions import do_report_comment
from broadsheet.notifications.actions import do_subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _engine_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"


def test_my_data_has_my_subscriptions_reports_and_reactions_and_nobody_elses(
    client: Client, rosa: Any, layla: Any
) -> None:
    river = make_thread(title="Room for the river", url="/politics/room-for-the-river/")
    do_subscribe(thread=river, kind="thread", user=rosa)
    # Before signing up, Rosa followed another discussion as a guest, same address.
    bridge = make_thread(title="The bridge", url="/city/bridge/")
    do_subscribe(thread=bridge, kind="replies", email="Rosa@Example.org")
    do_subscribe(thread=river, kind="thread", email="someone@example.org")
    theirs = post(river, member(layla), "Layla's comment.")
    do_report_comment(comment=theirs, actor=member(rosa), reason="off_topic", note="Not here")
    story = make_article(title="The river plan")
    do_cast_reaction(article=story, voter_key=f"u:{rosa.pk}", value=1)
    do_cast_reaction(article=story, voter_key=f"u:{layla.pk}", value=-1)
    client.force_login(rosa)

    data = json.loads(client.get("/me/data.json").content)

    subscriptions = data["subscriptions"]
    assert [(s["kind"], s["status"], s["thread"]["title"]) for s in subscriptions] == [
        ("thread", "active", "Room for the river"),
        ("replies", "pending", "The bridge"),
    ]
    assert all(s["email"] == "rosa@example.org" for s in subscriptions)
    [report] = data["reports"]
    assert report["comment_id"] == theirs.pk
    assert (report["reason"], report["note"], report["resolved_at"]) == (
        "off_topic",
        "Not here",
        None,
    )
    assert report["comment_url"] == f"/discussion/c/{theirs.pk}/"
    [reaction] = data["article_reactions"]
    assert reaction["value"] == 1
    assert reaction["article"] == {"title": "The river plan", "url": story.get_url()}
    assert "Layla's comment" not in json.dumps(data)
