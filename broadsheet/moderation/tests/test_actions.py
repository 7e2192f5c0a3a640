"""The moderation write paths: counters stay exact, events fire, audit rows land."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed, RateLimited
from broadsheet.discussion import actions as discussion_actions
from broadsheet.discussion import events
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_user, member, post, thread_inconsistencies
from broadsheet.moderation import actions
from broadsheet.moderation.commenters import Commenter, trust_level
from broadsheet.moderation.models import AuditEntry, Report, Sanction

pytestmark = pytest.mark.django_db


def held(
    thread: Thread, actor: Actor, body: str = "Oh shut up.", parent: Comment | None = None
) -> Comment:
    comment = post(thread, actor, body, parent=parent)
    assert comment.status == Comment.Status.PENDING
    return comment


def test_approving_a_held_reply_counts_it_and_announces_it(
    thread: Thread,
    reader_rosa: Actor,
    moderator_max: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    root = post(thread, guest(), "Top.")
    reply = held(thread, reader_rosa, parent=root)
    heard: list[events.DiscussionEvent] = []
    events.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_approve_comment(comment=reply, actor=moderator_max, reason="fine")
    finally:
        events.unsubscribe(heard.append)
    thread.refresh_from_db()
    root.refresh_from_db()
    assert (thread.comment_count, root.reply_count) == (2, 1)
    assert thread_inconsistencies(thread) == []
    assert [type(e).__name__ for e in heard] == ["CommentApproved"]
    entry = AuditEntry.objects.filter(action="approve").get()
    assert (
        entry.actor_id,
        entry.comment_id,
        entry.status_before,
        entry.status_after,
        entry.reason,
    ) == (
        moderator_max.user_id,
        reply.pk,
        "pending",
        "approved",
        "fine",
    )


def test_rejecting_and_spamming_take_visible_comments_out_of_the_counts(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor
) -> None:
    root = post(thread, reader_rosa, "Root.")
    reply = post(thread, guest(), "Reply.", parent=root)
    actions.do_reject_comment(comment=reply, actor=moderator_max)
    actions.do_mark_spam(comment=root, actor=moderator_max)
    thread.refresh_from_db()
    assert thread.comment_count == 0
    assert thread_inconsistencies(thread) == []
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "status_after")) == [
        ("reject", "rejected"),
        ("spam", "spam"),
    ]


def test_only_moderators_moderate(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, guest(), "Hi.")
    for do in (actions.do_approve_comment, actions.do_reject_comment, actions.do_mark_spam):
        with pytest.raises(NotAllowed):
            do(comment=comment, actor=reader_rosa)
    with pytest.raises(NotAllowed):
        discussion_actions.do_feature_comment(comment=comment, actor=reader_rosa, reason="good")
    assert not AuditEntry.objects.exists()


def test_featuring_says_why(thread: Thread, moderator_max: Actor, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa, "A great point.")
    for do in (discussion_actions.do_feature_comment, discussion_actions.do_unfeature_comment):
        with pytest.raises(ActionError, match="reason") as refused:
            do(comment=comment, actor=moderator_max, reason="  ")
        assert refused.value.field == "reason"
    discussion_actions.do_feature_comment(
        comment=comment, actor=moderator_max, reason="the clearest answer to the question"
    )
    comment.refresh_from_db()
    assert comment.is_featured and comment.featured_at is not None
    discussion_actions.do_unfeature_comment(
        comment=comment, actor=moderator_max, reason="corrected by a later reply"
    )
    comment.refresh_from_db()
    assert not comment.is_featured and comment.featured_at is None
    with pytest.raises(ActionError, match="Only published"):
        discussion_actions.do_feature_comment(
            comment=held(thread, reader_rosa), actor=moderator_max, reason="good"
        )
    assert list(AuditEntry.objects.filter(actor__isnull=False).values_list("action", "reason")) == [
        ("unfeature", "corrected by a later reply"),
        ("feature", "the clearest answer to the question"),
    ]


# --- reports ---------------------------------------------------------------------------


def test_enough_reports_hold_a_comment(thread: Thread, reader_rosa: Actor, settings: Any) -> None:
    settings.BROADSHEET_MODERATION_REPORTS_TO_HOLD = 2
    comment = post(thread, reader_rosa, "Contested.")
    actions.do_report_comment(comment=comment, actor=guest(), reason="abuse")
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == ("approved", 1)
    actions.do_report_comment(comment=comment, actor=guest(), reason="spam", note="ads")
    comment.refresh_from_db()
    thread.refresh_from_db()
    assert (comment.status, comment.report_count, comment.moderation_reason) == (
        "pending",
        2,
        "reported 2 times",
    )
    assert thread.comment_count == 0
    assert AuditEntry.objects.filter(action="auto_hold", status_after="pending").count() == 1


def test_one_report_per_reader_per_comment(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    comment = post(thread, reader_rosa, "Contested.")
    actions.do_report_comment(comment=comment, actor=guest_gabriel, reason="abuse")
    with pytest.raises(ActionError, match="already reported"):
        actions.do_report_comment(comment=comment, actor=guest_gabriel, reason="spam")
    comment.refresh_from_db()
    assert comment.report_count == 1
    with pytest.raises(NotAllowed):
        actions.do_report_comment(comment=comment, actor=reader_rosa, reason="spam")
    with pytest.raises(ActionError, match="choose why"):
        actions.do_report_comment(comment=comment, actor=guest(), reason="boring")


def test_reports_are_rate_limited(thread: Thread, reader_rosa: Actor, settings: Any) -> None:
    settings.BROADSHEET_MODERATION_REPORT_RATE_LIMIT = (2, 3600)
    settings.BROADSHEET_MODERATION_REPORTS_TO_HOLD = 99
    comments = [post(thread, reader_rosa, f"Comment {n}") for n in range(3)]
    reporter = guest(ip_hash="reporter-ip")
    actions.do_report_comment(comment=comments[0], actor=reporter, reason="spam")
    actions.do_report_comment(comment=comments[1], actor=reporter, reason="spam")
    with pytest.raises(RateLimited):
        actions.do_report_comment(comment=comments[2], actor=reporter, reason="spam")


def test_a_decision_resolves_the_reports(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor
) -> None:
    comment = post(thread, reader_rosa, "Contested.")
    actions.do_report_comment(comment=comment, actor=guest(), reason="abuse")
    actions.do_approve_comment(comment=comment, actor=moderator_max)
    comment.refresh_from_db()
    assert comment.report_count == 0
    assert Report.objects.get().resolved_at is not None


# --- sanctions and trust ---------------------------------------------------------------


def test_ban_suspend_shadow_ban_and_lift(
    thread: Thread, rosa: Any, reader_rosa: Actor, moderator_max: Actor
) -> None:
    rosa_commenter = Commenter(user_id=rosa.pk)
    ban = actions.do_ban_commenter(commenter=rosa_commenter, actor=moderator_max, reason="abuse")
    with pytest.raises(NotAllowed, match="banned"):
        post(thread, reader_rosa, "Hello?")
    actions.do_lift_sanction(sanction=ban, actor=moderator_max)
    assert post(thread, reader_rosa, "Back.").status == Comment.Status.APPROVED

    actions.do_suspend_commenter(
        commenter=rosa_commenter, actor=moderator_max, until=timezone.now() + timedelta(days=3)
    )
    with pytest.raises(NotAllowed, match="suspended until"):
        post(thread, reader_rosa, "Again?")
    with pytest.raises(ActionError, match="future"):
        actions.do_suspend_commenter(
            commenter=rosa_commenter, actor=moderator_max, until=timezone.now() - timedelta(days=1)
        )
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "target")) == [
        ("ban", f"u:{rosa.pk}"),
        ("lift", f"u:{rosa.pk}"),
        ("suspend", f"u:{rosa.pk}"),
    ]


def test_banning_a_guest_from_the_queue_rejects_the_comment(
    thread: Thread, moderator_max: Actor
) -> None:
    troll = guest(ip_hash="troll-ip")
    comment = post(thread, troll, "Hello.")
    actions.do_ban_commenter(
        commenter=Commenter.of_comment(comment), actor=moderator_max, comment=comment
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    sanction = Sanction.objects.get()
    assert sanction.email_hash and sanction.ip_hash == "troll-ip" and sanction.user_id is None
    with pytest.raises(NotAllowed):
        post(thread, guest(ip_hash="other"), "New me.", email="gabriel@example.org")


def test_moderators_cannot_sanction_themselves_and_readers_cannot_sanction(
    reader_rosa: Actor, moderator_max: Actor
) -> None:
    with pytest.raises(ActionError):
        actions.do_ban_commenter(
            commenter=Commenter(user_id=moderator_max.user_id), actor=moderator_max
        )
    with pytest.raises(NotAllowed):
        actions.do_ban_commenter(commenter=Commenter(user_id=99), actor=reader_rosa)


def test_commenters_become_trusted_after_enough_approved_comments(
    thread: Thread, moderator_max: Actor, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_MODE = "new_commenters"
    settings.BROADSHEET_MODERATION_TRUST_AFTER = 2
    nina = make_user("nina")
    actor = member(nina)
    commenter = Commenter(user_id=nina.pk)
    assert trust_level(commenter) == "new"
    for n in range(2):
        actions.do_approve_comment(
            comment=held(thread, actor, f"Thought {n}, shut up."), actor=moderator_max
        )
    assert trust_level(commenter) == "trusted"
    assert post(thread, actor, "Now published at once.").status == Comment.Status.APPROVED
    # A rejection ends the trust.
    actions.do_reject_comment(comment=held(thread, actor, "shut up again"), actor=moderator_max)
    assert trust_level(commenter) == "regular"


def test_close_and_reopen_are_audited(thread: Thread, moderator_max: Actor) -> None:
    discussion_actions.do_close_thread(thread=thread, actor=moderator_max)
    thread.refresh_from_db()
    assert thread.is_closed
    discussion_actions.do_reopen_thread(thread=thread, actor=moderator_max)
    thread.refresh_from_db()
    assert not thread.is_closed
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "close",
        "reopen",
    ]


def test_close_old_discussions_command(thread: Thread, settings: Any) -> None:
    fresh = Thread.objects.create(key="fresh", title="Fresh")
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(days=40))
    call_command("close_old_discussions")  # 0 days: never
    assert not Thread.objects.filter(is_closed=True).exists()
    settings.BROADSHEET_MODERATION_AUTO_CLOSE_DAYS = 30
    call_command("close_old_discussions", "--dry-run")
    assert not Thread.objects.filter(is_closed=True).exists()
    call_command("close_old_discussions")
    assert list(Thread.objects.filter(is_closed=True).values_list("pk", flat=True)) == [thread.pk]
    assert not Thread.objects.get(pk=fresh.pk).is_closed
    assert AuditEntry.objects.get().reason == "auto-close after 30 days"
