"""Bots fill every field and post at once. A filled hidden field is spam; a form sent
back sooner than BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS after it was rendered is held
(a fast human gets a moderator, not the bin). The render time travels in the form as a
signed timestamp; a forged one is spam, even with the time check off."""

from __future__ import annotations

from django.core import signing

from broadsheet.moderation import conf, reasons
from broadsheet.moderation.rules.base import Decision, Submission, Verdict, hold

HONEYPOT_FIELD = "homepage"
TIMESTAMP_FIELD = "rendered"
_SALT = "broadsheet.moderation.rendered"


def sign_render_time(timestamp: float) -> str:
    return signing.dumps(int(timestamp), salt=_SALT)


def honeypot(submission: Submission) -> Decision | None:
    if submission.honeypot:
        return Decision(Verdict.SPAM, reasons.HIDDEN_FIELD())
    return None


def too_fast(submission: Submission) -> Decision | None:
    if submission.rendered_at is None:
        return None  # not from our form (the API, a form from before this field existed)
    try:
        rendered = int(signing.loads(submission.rendered_at, salt=_SALT, max_age=86400))
    except signing.SignatureExpired:
        return None  # a tab left open for a day: slow, not a bot
    except (signing.BadSignature, TypeError, ValueError):
        # Forged whether or not the time check is on: only a bot writes a stamp itself.
        return Decision(Verdict.SPAM, reasons.FORGED_TIMESTAMP())
    minimum = conf.min_submit_seconds()
    if minimum > 0 and submission.now.timestamp() - rendered < minimum:
        # Held, not spam: a fast human (or a pasted text) gets a moderator, not the bin.
        return hold(reasons.TOO_FAST())
    return None
