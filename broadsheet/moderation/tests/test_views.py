"""Over HTTP: the queue in the Wagtail admin, the report page, and what readers see."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, post, signed_reader_cookie
from broadsheet.moderation.models import AuditEntry, Report, Sanction
from broadsheet.moderation.rules.honeypot import sign_render_time

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/"
ACT = "/admin/moderation/act/"


@pytest.fixture
def max_client(client: Client, max_user: Any) -> Client:
    client.force_login(max_user)
    return client


def test_the_queue_url_and_menu() -> None:
    assert reverse("moderation_admin:queue") == QUEUE
    assert reverse("moderation:report", args=[7]) == "/moderation/report/7/"


def test_readers_cannot_open_the_queue_or_act(
    client: Client, rosa: Any, thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, guest(), "Hello.")
    assert client.get(QUEUE).status_code == 302  # to the admin login
    client.force_login(rosa)
    assert client.get(QUEUE).status_code in (302, 403)
    response = client.post(f"{ACT}?comment={comment.pk}", {"action": "reject"})
    assert response.status_code in (302, 403)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_the_queue_shows_held_comments_in_context(
    max_client: Client, thread: Thread, reader_rosa: Actor, django_assert_max_num_queries: Any
) -> None:
    parent = post(thread, guest(), "The original point.")
    post(thread, reader_rosa, "Oh shut up.", parent=parent)
    response = max_client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Oh shut up." in html and "suspect word: shut up" in html
    assert "In reply to: The original point." in html
    assert "Room for the river" in html
    assert "js/moderation.js" in html
    assert "The original point.</div>" not in html  # approved: not in the pending tab
    approved = max_client.get(QUEUE + "?tab=approved").content.decode()
    assert "The original point." in approved


def test_one_click_approve_reject_spam_feature(
    max_client: Client, thread: Thread, reader_rosa: Actor, max_user: Any
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    for verb, status in (
        ("approve", "approved"),
        ("reject", "rejected"),
        ("spam", "spam"),
        ("approve", "approved"),
    ):
        response = max_client.post(f"{ACT}?comment={comment.pk}", {"action": verb, "next": QUEUE})
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.status == status
    max_client.post(
        f"{ACT}?comment={comment.pk}", {"action": "feature", f"reason-{comment.pk}": "sharp"}
    )
    comment.refresh_from_db()
    assert comment.is_featured
    assert list(
        AuditEntry.objects.filter(actor=max_user).order_by("pk").values_list("action", flat=True)
    ) == [
        "approve",
        "reject",
        "spam",
        "approve",
        "feature",
    ]
    thread.refresh_from_db()
    assert thread.comment_count == 1


def test_bulk_actions(max_client: Client, thread: Thread) -> None:
    comments = [post(thread, guest(), f"shut up {n}") for n in range(3)]
    ids = [str(c.pk) for c in comments[:2]]
    max_client.post(ACT, {"action": "approve", "comments": ids})
    statuses = [Comment.objects.get(pk=c.pk).status for c in comments]
    assert statuses == ["approved", "approved", "pending"]


def test_ban_from_the_queue(
    max_client: Client, thread: Thread, rosa: Any, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    max_client.post(f"{ACT}?comment={comment.pk}", {"action": "ban", "reason": "abuse"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert Sanction.objects.get().user_id == rosa.pk


def test_the_commenter_page_and_sanctions(
    max_client: Client, thread: Thread, rosa: Any, reader_rosa: Actor
) -> None:
    post(thread, reader_rosa, "A thought.")
    url = f"/admin/moderation/commenter/u:{rosa.pk}/"
    html = max_client.get(url).content.decode()
    assert "A thought." in html and "Trust level" in html
    max_client.post(url, {"text": "Warned by e-mail."})
    max_client.post(url, {"kind": "shadow", "reason": "trolling"})
    html = max_client.get(url).content.decode()
    assert "Warned by e-mail." in html and "Shadow-banned" in html
    sanction = Sanction.objects.get()
    max_client.post(f"/admin/moderation/sanction/{sanction.pk}/lift/")
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None
    assert max_client.get("/admin/moderation/commenter/x:1/").status_code == 404


def test_close_and_reopen_from_the_queue(max_client: Client, thread: Thread) -> None:
    # Closing asks for a reason first (issue 14: test_queue_work.py); here it is given.
    max_client.post(f"/admin/moderation/thread/{thread.pk}/close/", {"reason": "heated"})
    thread.refresh_from_db()
    assert thread.is_closed


def test_the_audit_log_lists_and_filters(
    max_client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    max_client.post(f"{ACT}?comment={comment.pk}", {"action": "reject", "reason": "rude"})
    html = max_client.get("/admin/moderation/audit/").content.decode()
    assert "Held by a rule" in html and "Rejected" in html and "rude" in html
    only = max_client.get("/admin/moderation/audit/?action=hold").content.decode()
    assert "rude" not in only


# --- readers -------------------------------------------------------------------------


def test_a_reader_reports_a_comment_without_javascript(
    client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Contested.")
    url = f"/moderation/report/{comment.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Why are you reporting" in page.content.decode()
    done = client.post(url, {"reason": "abuse", "note": "insults"})
    assert "Thank you" in done.content.decode()
    again = client.post(url, {"reason": "spam"})
    assert again.status_code == 400 and "already reported" in again.content.decode()
    report = Report.objects.get()
    assert (report.reason, report.note) == ("abuse", "insults")


def test_the_report_link_is_on_other_peoples_comments(
    client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Visible.")
    html = client.get(thread.get_absolute_url()).content.decode()
    assert f"/moderation/report/{comment.pk}/" in html


def test_a_held_comment_shows_only_to_its_author(
    client: Client, thread: Thread, rosa: Any, reader_rosa: Actor
) -> None:
    post(thread, reader_rosa, "Oh shut up.")
    gabriel = guest("gabriel-cookie")
    post(thread, gabriel, "Guest says shut up.")
    url = thread.get_absolute_url()
    assert "shut up" not in client.get(url).content.decode()
    client.force_login(rosa)
    mine = client.get(url).content.decode()
    assert "Oh shut up." in mine and "Awaiting moderation" in mine
    assert "Guest says" not in mine
    client.logout()
    client.cookies[READER_COOKIE] = signed_reader_cookie("gabriel-cookie")
    theirs = client.get(url).content.decode()
    assert "Guest says shut up." in theirs and "Oh shut up." not in theirs


def test_a_shadow_banned_comment_has_no_marker(
    client: Client, thread: Thread, rosa: Any, reader_rosa: Actor
) -> None:
    Sanction.objects.create(kind="shadow_ban", user=rosa)
    post(thread, reader_rosa, "Nobody hears me.")
    client.force_login(rosa)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Nobody hears me." in html and "Awaiting moderation" not in html


def test_the_featured_view_and_badge(
    client: Client, thread: Thread, reader_rosa: Actor, moderator_max: Actor
) -> None:
    from broadsheet.discussion.actions import do_feature_comment

    pick = post(thread, reader_rosa, "The best comment.")
    post(thread, guest(), "An ordinary comment.")
    do_feature_comment(comment=pick, actor=moderator_max, reason="a fine answer")
    url = thread.get_absolute_url()
    everything = client.get(url).content.decode()
    assert "comment__badge" in everything and "?view=featured" in everything
    featured = client.get(url + "?view=featured").content.decode()
    assert "The best comment." in featured and "An ordinary comment." not in featured


def test_the_comment_form_carries_a_honeypot_and_render_time(
    client: Client, thread: Thread, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 2
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'name="homepage"' in html and 'name="rendered"' in html
    data = {"name": "Bot", "email": "bot@example.org", "body": "Great post"}
    client.post(
        reverse("discussion:post", args=[thread.pk]),
        {**data, "homepage": "x", "rendered": sign_render_time(time.time() - 60)},
    )
    client.post(
        reverse("discussion:post", args=[thread.pk]),
        {**data, "body": "Fast", "homepage": "", "rendered": sign_render_time(time.time())},
    )
    statuses = dict(Comment.objects.values_list("body_source", "status"))
    assert statuses == {"Great post": "spam", "Fast": "pending"}


def test_moderators_edit_the_word_lists_in_the_admin(max_client: Client) -> None:
    url = reverse("wagtailsnippets_moderation_moderationword:list")
    response = max_client.get(url)
    assert response.status_code == 200
    assert "idiot" in response.content.decode()  # seeded by migration 0002
