"""Banned and suspended commenters are refused; shadow-banned ones are accepted but held
where only they can see their comment."""

from __future__ import annotations

from broadsheet.core.errors import NotAllowed
from broadsheet.moderation.models import Sanction
from broadsheet.moderation.rules.base import Decision, Submission, Verdict

SHADOW_REASON = "shadow-banned"


def sanctioned(submission: Submission) -> Decision | None:
    kinds = {s.kind: s for s in submission.sanctions}
    if Sanction.Kind.BAN in kinds:
        return Decision(
            Verdict.REJECT,
            "banned",
            refuse=NotAllowed("You can no longer comment here: a moderator banned this account."),
        )
    if Sanction.Kind.SUSPENSION in kinds:
        until = kinds[Sanction.Kind.SUSPENSION].until
        when = f"{until:%d %B %Y, %H:%M} UTC" if until else "later"
        return Decision(
            Verdict.REJECT,
            "suspended",
            refuse=NotAllowed(f"Your commenting is suspended until {when}."),
        )
    if Sanction.Kind.SHADOW_BAN in kinds:
        return Decision(Verdict.HOLD, SHADOW_REASON)
    return None
