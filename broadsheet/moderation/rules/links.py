"""Comments with more links than BROADSHEET_MODERATION_MAX_LINKS are held."""

from __future__ import annotations

import re

from broadsheet.moderation import conf, reasons
from broadsheet.moderation.rules.base import Decision, Submission, hold

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def too_many_links(submission: Submission) -> Decision | None:
    links = count_links(submission.body)
    return hold(reasons.TOO_MANY_LINKS(links=links)) if links > conf.max_links() else None
