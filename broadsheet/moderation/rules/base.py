"""What every rule takes and returns.

A rule is a function ``(submission) -> Decision | None``: None means "no opinion", and
the pipeline asks the next rule. A decision may also *refuse* the comment outright
(``refuse`` set): nothing is stored and the reader is told why, with their text kept.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone

from broadsheet.core.errors import ActionError
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.moderation.commenters import (
    Commenter,
    SanctionTerm,
    active_sanction_terms,
    email_hash,
    in_trusted_group,
    trusted_by_history,
)


class Verdict(enum.StrEnum):
    APPROVE = "approved"
    HOLD = "pending"
    REJECT = "rejected"
    SPAM = "spam"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    # Set: the comment is not stored at all and this error is raised to the poster.
    refuse: ActionError | None = None


@dataclass
class Submission:
    """A comment about to be stored, with what the form told us about how it was sent.

    ``honeypot`` and ``rendered_at`` are None when the comment did not come from our
    HTML form (the API): the honeypot and timing rules then have no opinion.
    """

    thread: Thread
    actor: Actor
    body: str
    guest_email: str = ""
    honeypot: str | None = None
    rendered_at: str | None = None
    now: datetime = field(default_factory=timezone.now)

    @cached_property
    def commenter(self) -> Commenter:
        if self.actor.is_authenticated:
            return Commenter(user_id=self.actor.user_id, ip_hash=self.actor.ip_hash)
        return Commenter(
            email_hash=email_hash(self.guest_email),
            ip_hash=self.actor.ip_hash,
            email=self.guest_email.strip().lower(),
        )

    @cached_property
    def history(self) -> dict[str, int]:
        return self.commenter.history()

    @cached_property
    def sanctions(self) -> list[SanctionTerm]:
        """The commenter's active sanctions (by account, e-mail or IP): kind and end."""
        return active_sanction_terms(self.commenter, now=self.now)

    @cached_property
    def spam_service_says_spam(self) -> bool | None:
        """The Akismet-compatible service's answer: True spam, False ham, None when it is
        off or did not answer."""
        from broadsheet.moderation.rules.score import ask_spam_service  # (it imports us)

        return ask_spam_service(self)

    @cached_property
    def external_verdict(self) -> Any:
        """The external moderation service's answer (rules.external), or None when it is
        off or did not answer usably."""
        from broadsheet.moderation.rules.external import ask_external_service  # (it imports us)

        return ask_external_service(self)

    @cached_property
    def listed_words(self) -> dict[str, list[str]]:
        """The banned and suspect word lists, read once for both rules."""
        from broadsheet.moderation.rules.words import listed_words  # (it imports us)

        return listed_words()

    @cached_property
    def listed_word_found(self) -> dict[str, str | None]:
        """{kind: the first listed word of that kind the text contains, or None}."""
        from broadsheet.moderation.rules.words import find_listed  # (it imports us)

        return {
            kind: find_listed(self.body, kind, words) for kind, words in self.listed_words.items()
        }

    @cached_property
    def local_spam_score(self) -> tuple[int, list[str]]:
        """(score, reasons) of the built-in spam score (rules.score.local_score)."""
        from broadsheet.moderation.rules.score import local_score  # (it imports us)

        return local_score(self)

    @cached_property
    def trusted(self) -> bool:
        return in_trusted_group(self.actor.user) or trusted_by_history(self.history)


Rule = Callable[[Submission], Decision | None]


def hold(reason: str) -> Decision:
    return Decision(Verdict.HOLD, reason)


def user_attr(submission: Submission, name: str) -> Any:
    return getattr(submission.actor.user, name, None) if submission.actor.is_authenticated else None
