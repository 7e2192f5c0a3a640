"""The moderation pipeline: an ordered list of small rules; the first decisive one wins.

The order, and why:
 1. sanctioned      – banned/suspended commenters are refused; shadow-banned held.
 2. honeypot        – a filled hidden field is a bot (spam).
 3. too_fast        – a form sent back faster than a human types is a bot (spam).
 4. account_rate    – per-account rate limit (refused; the discussion limits per IP).
 5. duplicate       – the same text again from the same account/IP (refused).
 6. flood           – too many comments in a short window (held).
 7. banned_words    – rejected outright.
 8. akismet         – the optional spam service says spam (spam).
 8b. external       – the optional external moderation service holds or rejects.
 9. suspect_words   – held for a human.
10. too_many_links  – held.
11. site_mode       – pre-moderation: everything, or new commenters (trusted skip it).
12. spam_score      – the local score at or above the threshold (trusted skip it).
Nothing decisive: approved.

Cheap, certain checks go first; checks that cost a query or the network go later, and
pre-moderation comes last so its reason never hides a more specific one.

A discussion past BROADSHEET_MODERATION_AUTO_CLOSE_DAYS is closed before any rule runs:
the discussion engine asks ``MODERATION.closing_age()`` for its pages and its posting
check alike (discussion.oversight.is_closed), so no rule refuses what a page still offers.

``MODERATION`` is what the discussion engine calls (its ``oversight.Moderation``
protocol, named by BROADSHEET_DISCUSSION_MODERATION): this pipeline for new comments, the
audit log for every moderation change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from broadsheet.discussion.models import Thread
from broadsheet.discussion.oversight import Change, NewSubmission, Ruling
from broadsheet.moderation import conf
from broadsheet.moderation.audit import record
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.models import AuditEntry
from broadsheet.moderation.reasons import reason_shown
from broadsheet.moderation.rules import (
    external,
    honeypot,
    links,
    mode,
    rates,
    sanctions,
    score,
    words,
)
from broadsheet.moderation.rules.base import Decision, Rule, Submission, Verdict

RULES: list[Rule] = [
    sanctions.sanctioned,
    honeypot.honeypot,
    honeypot.too_fast,
    rates.account_rate,
    rates.duplicate,
    rates.flood,
    words.banned_words,
    score.akismet,
    external.external,
    words.suspect_words,
    links.too_many_links,
    mode.site_mode,
    score.spam_score,
]

APPROVED = Decision(Verdict.APPROVE, "")


def prepare(submission: Submission) -> Submission:
    """Ask, before the posting transaction, what needs no write lock: the spam service
    (the network: up to its timeout), the commenter's sanctions (a sanction given
    meanwhile counts as given just after this comment), and what depends on the text
    alone (the listed words it contains, the local spam score; a word listed meanwhile
    counts from the next comment). What must see every comment committed before this
    one (duplicate, flood, trust) is asked by ``decide``, under the lock, which every
    writer waits for: the less done there, the more comments per second."""
    _ = submission.spam_service_says_spam, submission.sanctions, submission.external_verdict
    _ = submission.listed_word_found, submission.local_spam_score
    return submission


def decide(submission: Submission, rules: list[Rule] | None = None) -> Decision:
    """The first decisive rule's decision, or approval. A refusing decision raises its
    error (nothing is stored)."""
    for rule in RULES if rules is None else rules:
        decision = rule(submission)
        if decision is None:
            continue
        if decision.refuse is not None:
            raise decision.refuse
        return decision
    return APPROVED


# Decisions a moderator takes about one commenter's comment: the audit row names the
# commenter, so their page in the queue lists it.
_ABOUT_THE_COMMENTER = {AuditEntry.Action.APPROVE, AuditEntry.Action.REJECT, AuditEntry.Action.SPAM}


class Pipeline:
    """The discussion engine's moderation (discussion.oversight.Moderation)."""

    def prepare(self, submission: NewSubmission) -> Any:
        return prepare(
            Submission(
                thread=submission.thread,
                actor=submission.actor,
                body=submission.body,
                guest_email=submission.guest_email,
                honeypot=submission.honeypot,
                rendered_at=submission.rendered_at,
            )
        )

    def decide(self, prepared: Any, *, thread: Thread) -> Ruling:
        assert isinstance(prepared, Submission)
        prepared.thread = thread
        decision = decide(prepared)
        return Ruling(decision.verdict.value, decision.reason[:200])

    def record(self, change: Change) -> None:
        action = AuditEntry.Action(change.action)
        comment = change.comment
        by_person = change.actor.is_authenticated
        about = comment is not None and by_person and action in _ABOUT_THE_COMMENTER
        record(
            action=action,
            actor=change.actor.user,
            comment=comment,
            thread_id=change.thread_id,
            target=Commenter.of_comment(comment).key if about and comment else "",
            reason=change.reason,
            before=change.before,
            after=change.after,
        )

    def closing_age(self) -> timedelta | None:
        days = conf.auto_close_days()
        return timedelta(days=days) if days > 0 else None

    def reason_shown(self, stored: str) -> str:
        return reason_shown(stored)


MODERATION = Pipeline()
