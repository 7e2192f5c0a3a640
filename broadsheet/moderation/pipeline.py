"""The moderation pipeline: an ordered list of small rules; the first decisive one wins.

The order, and why:
 1. auto_closed     – a discussion past its auto-close age takes nothing (refused).
 2. sanctioned      – banned/suspended commenters are refused; shadow-banned held.
 3. honeypot        – a filled hidden field is a bot (spam).
 4. too_fast        – a form sent back faster than a human types is a bot (spam).
 5. account_rate    – per-account rate limit (refused; the discussion limits per IP).
 6. duplicate       – the same text again from the same account/IP (refused).
 7. flood           – too many comments in a short window (held).
 8. banned_words    – rejected outright.
 9. akismet         – the optional spam service says spam (spam).
10. suspect_words   – held for a human.
11. too_many_links  – held.
12. site_mode       – pre-moderation: everything, or new commenters (trusted skip it).
13. spam_score      – the local score at or above the threshold (trusted skip it).
Nothing decisive: approved.

Cheap, certain checks go first; checks that cost a query or the network go later, and
pre-moderation comes last so its reason never hides a more specific one.
"""

from __future__ import annotations

from broadsheet.moderation.rules import (
    closing,
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
    closing.auto_closed,
    sanctions.sanctioned,
    honeypot.honeypot,
    honeypot.too_fast,
    rates.account_rate,
    rates.duplicate,
    rates.flood,
    words.banned_words,
    score.akismet,
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
    _ = submission.spam_service_says_spam, submission.sanctions
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
