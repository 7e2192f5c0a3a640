"""Badges beside commenters' names, and the names guests may not take."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.core.errors import ActionError
from broadsheet.discussion.actions import NewComment, do_post_comment
from broadsheet.discussion.badges import forget_known_accounts
from broadsheet.discussion.models import Thread
from broadsheet.discussion.policy import DiscussionPolicy
from broadsheet.discussion.presentation import build_groups
from broadsheet.discussion.selectors import comments_for_thread
from broadsheet.discussion.sorting import Sort
from broadsheet.discussion.testing import guest, make_user, member, post

pytestmark = pytest.mark.django_db

WRITER_IDS: set[int] = set()


def writers_of(thread_id: int) -> frozenset[int]:
    return frozenset(WRITER_IDS)


def badges_by_name(thread: Thread, actor: Any) -> dict[str, str]:
    page = comments_for_thread(thread, sort=Sort.OLDEST)
    groups = build_groups(page.roots, page.replies, actor=actor)
    views = [v for g in groups for v in (g.root, *g.replies)]
    return {v.name: v.badge_label for v in views}


def test_each_commenter_shows_who_they_are(thread: Thread, settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_THREAD_AUTHORS = f"{__name__}.writers_of"
    ines = make_user("ines", name="Ines Okafor", staff=True)
    max_user = make_user("max", name="Max Brandt", moderator=True)
    eve = make_user("eve", name="Eve Marsh", staff=True)
    rosa = make_user("rosa", name="Rosa Lindqvist")
    WRITER_IDS.clear()
    WRITER_IDS.add(ines.pk)
    forget_known_accounts()
    first = post(thread, guest("g1"), "Why build here at all?", name="Gabriel")
    post(thread, member(ines), "Because the river was here first.", parent=first)
    post(thread, member(max_user), "Please keep it civil.", parent=first)
    post(thread, member(eve), "We have corrected the figure.")
    post(thread, member(rosa), "Thanks for the correction.")

    assert badges_by_name(thread, guest("someone")) == {
        "Gabriel": "Guest",
        "Ines Okafor": "Author",  # staff too, but here she answers under her own piece
        "Max Brandt": "Moderator",
        "Eve Marsh": "Staff",
        "Rosa Lindqvist": "",
    }


def test_the_badge_is_in_the_page_and_its_fragment_key(client: Client, thread: Thread) -> None:
    post(thread, guest("g1"), "A guest's first comment.", name="Gabriel")
    html = client.get(reverse("discussion:thread", args=[thread.pk])).content.decode()
    assert 'class="comment__badge comment__badge--guest">Guest</span>' in html


@pytest.mark.parametrize(
    "name",
    ["Moderator", "moderator", "Site Admin", "The STAFF", "The Meridian Ledger", "max brandt"],
)
def test_guests_may_not_take_the_publications_or_the_teams_names(thread: Thread, name: str) -> None:
    make_user("max", name="Max Brandt", moderator=True)
    forget_known_accounts()
    policy = DiscussionPolicy(reserved_names=("The Meridian Ledger",))
    with pytest.raises(ActionError) as refused:
        do_post_comment(
            actor=guest("g1"),
            new=NewComment(
                thread=thread,
                body="I speak for the house.",
                guest_name=name,
                guest_email="g@example.org",
            ),
            policy=policy,
        )
    assert refused.value.field == "name"
    assert not thread.comments.exists()


def test_ordinary_names_pass(thread: Thread) -> None:
    for name in ("Gabriel", "Staffordshire Reader", "Ed Itor"):
        post(thread, guest(f"g-{name}"), "Fine.", name=name)
    assert thread.comments.count() == 3


def test_a_guest_is_offered_to_sign_in_and_come_back_to_the_discussion(
    client: Client, thread: Thread
) -> None:
    html = client.get(reverse("discussion:thread", args=[thread.pk])).content.decode()
    link = re.search(r'<a href="([^"]+)">Sign in to comment</a>', html)
    assert link is not None
    assert link.group(1).startswith("/accounts/login/?next=")
    assert link.group(1).endswith("%23discussion")
