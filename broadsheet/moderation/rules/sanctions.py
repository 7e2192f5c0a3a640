"""Banned and suspended commenters are refused; shadow-banned ones are accepted but held
where only they can see their comment."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from broadsheet.core.errors import NotAllowed
from broadsheet.moderation import reasons
from broadsheet.moderation.models import Sanction
from broadsheet.moderation.rules.base import Decision, Submission, Verdict

SHADOW_REASON = reasons.SHADOW_BANNED()


def sanctioned(submission: Submission) -> Decision | None:
    kinds = {s.kind: s for s in submission.sanctions}
    if Sanction.Kind.BAN in kinds:
        return Decision(
            Verdict.REJECT,
            reasons.BANNED(),
            refuse=NotAllowed(
                _("You can no longer comment here: a moderator banned this account.")
            ),
        )
    if Sanction.Kind.SUSPENSION in kinds:
        until = kinds[Sanction.Kind.SUSPENSION].until
        message = (
            _("Your commenting is suspended until %(when)s.")
            % {"when": date_format(until, _("j F Y, H:i e"))}
            if until
            else _("Your commenting is suspended for now.")
        )
        return Decision(Verdict.REJECT, reasons.SUSPENDED(), refuse=NotAllowed(message))
    if Sanction.Kind.SHADOW_BAN in kinds:
        return Decision(Verdict.HOLD, SHADOW_REASON)
    return None
