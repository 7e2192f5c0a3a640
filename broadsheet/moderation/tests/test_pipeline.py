"""The pipeline: the first decisive rule wins, in the documented order, and posting
stores its status and reason with an audit row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, post, thread_inconsistencies
from broadsheet.moderation import pipeline
from broadsheet.moderation.models import AuditEntry, Sanction
from broadsheet.moderation.rules.base import Decision, Submission, Verdict

pytestmark = pytest.mark.django_db


def test_the_documented_order() -> None:
    names = [rule.__name__ for rule in pipeline.RULES]
    assert names == [
        "sanctioned",
        "honeypot",
        "too_fast",
        "account_rate",
        "duplicate",
        "flood",
        "banned_words",
        "akismet",
        "external",
        "suspect_words",
        "too_many_links",
        "site_mode",
        "spam_score",
    ]
    for name in names:
        assert name in pipeline.__doc__  # type: ignore[operator]


def test_the_first_decisive_rule_wins(thread: Thread, reader_rosa: Actor) -> None:
    seen: list[str] = []

    def silent(s: Submission) -> Decision | None:
        seen.append("silent")
        return None

    def holds(s: Submission) -> Decision | None:
        seen.append("holds")
        return Decision(Verdict.HOLD, "first")

    def rejects(s: Submission) -> Decision | None:
        seen.append("rejects")
        return Decision(Verdict.REJECT, "second")

    submission = Submission(thread=thread, actor=reader_rosa, body="x")
    assert pipeline.decide(submission, [silent, holds, rejects]).reason == "first"
    assert seen == ["silent", "holds"]
    assert pipeline.decide(submission, [silent]).verdict == Verdict.APPROVE


def test_a_banned_word_beats_a_suspect_word_and_links(thread: Thread, reader_rosa: Actor) -> None:
    body = "shut up, idiot https://a.example https://b.example https://c.example https://d.example"
    decision = pipeline.decide(Submission(thread=thread, actor=reader_rosa, body=body))
    assert (decision.verdict, decision.reason) == (Verdict.REJECT, "banned word: idiot")


def test_a_sanction_beats_everything_after_it(
    thread: Thread, rosa: Any, reader_rosa: Actor
) -> None:
    Sanction.objects.create(kind="ban", user=rosa)
    with pytest.raises(NotAllowed, match="banned"):
        pipeline.decide(Submission(thread=thread, actor=reader_rosa, body="idiot", honeypot="x"))


def test_posting_stores_the_decision_and_its_reason(thread: Thread, reader_rosa: Actor) -> None:
    held = post(thread, reader_rosa, "Oh shut up.")
    rejected = post(thread, reader_rosa, "You m0r0n.")
    fine = post(thread, reader_rosa, "Thanks for the article.")
    assert (held.status, held.moderation_reason) == ("pending", "suspect word: shut up")
    assert (rejected.status, rejected.moderation_reason) == ("rejected", "banned word: moron")
    assert (fine.status, fine.moderation_reason) == ("approved", "")
    thread.refresh_from_db()
    assert thread.comment_count == 1
    assert thread_inconsistencies(thread) == []
    audit = {e.comment_id: (e.action, e.actor_id, e.status_after) for e in AuditEntry.objects.all()}
    assert audit == {held.pk: ("hold", None, "pending"), rejected.pk: ("reject", None, "rejected")}


def test_a_refused_comment_is_not_stored(thread: Thread, rosa: Any, reader_rosa: Actor) -> None:
    Sanction.objects.create(kind="suspension", user=rosa, until=timezone.now() + timedelta(days=1))
    with pytest.raises(ActionError, match="suspended until"):
        post(thread, reader_rosa, "Let me in.")
    assert not Comment.objects.exists()


def test_a_shadow_banned_comment_is_held_silently(thread: Thread) -> None:
    Sanction.objects.create(kind="shadow_ban", ip_hash="troll-ip")
    comment = post(thread, guest(ip_hash="troll-ip"), "Hello all.")
    assert (comment.status, comment.moderation_reason) == ("pending", "shadow-banned")
