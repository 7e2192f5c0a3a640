"""The built-in spam score, and the hook for an Akismet-compatible service.

The local score adds points for what spam usually has: many links, SHOUTING, long runs
of one character, known spam phrases, a brand-new account, no account at all. At or
above BROADSHEET_MODERATION_SPAM_THRESHOLD a comment from an untrusted commenter is held.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from broadsheet.moderation import conf, reasons
from broadsheet.moderation.rules.base import Decision, Submission, Verdict, hold, user_attr
from broadsheet.moderation.rules.links import count_links
from broadsheet.moderation.rules.words import normalise

logger = logging.getLogger(__name__)

# One character other than white space six times in a row.
_REPEATED_CHARACTER = re.compile(r"(\S)\1{5}")

SPAM_PHRASES = (
    "buy now",
    "click here",
    "free money",
    "work from home",
    "casino",
    "viagra",
    "crypto giveaway",
    "limited offer",
    "earn money fast",
    "make money online",
)


def local_score(submission: Submission) -> tuple[int, list[str]]:
    """(score, reasons) of the built-in spam score."""
    body = submission.body
    points: list[tuple[int, str]] = []
    links = count_links(body)
    if links:
        points.append((min(links, 3), reasons.LINKS_COUNTED(links=links)))
    # Counted by str methods mapped in C: a Python loop per character cost more than
    # the rest of the score. A letter is upper case exactly when isupper() says so.
    letters = sum(map(str.isalpha, body))
    if letters >= 20 and sum(map(str.isupper, body)) / letters > 0.7:
        points.append((2, reasons.MOSTLY_CAPITALS()))
    if _REPEATED_CHARACTER.search(body):
        points.append((1, reasons.REPEATED_CHARACTERS()))
    text = " " + " ".join(normalise(body)) + " "
    phrases = [p for p in SPAM_PHRASES if f" {p} " in text]
    if phrases:
        points.append((3 * len(phrases), reasons.SPAM_PHRASES(phrases=", ".join(phrases))))
    joined = user_attr(submission, "date_joined")
    if joined is not None and submission.now - joined < timedelta(days=1):
        points.append((1, reasons.NEW_ACCOUNT()))
    if not submission.actor.is_authenticated:
        points.append((1, reasons.GUEST()))
    return sum(p for p, _ in points), [r for _, r in points]


def spam_score(submission: Submission) -> Decision | None:
    if submission.trusted:
        return None
    score, signs = submission.local_spam_score
    if score >= conf.spam_threshold():
        return hold(reasons.SPAM_SCORE(score=score, signs="; ".join(signs)))
    return None


def akismet_check(
    *, url: str, key: str, fields: dict[str, str], timeout: float = 3.0
) -> bool | None:
    """Ask an Akismet-compatible comment-check endpoint: True spam, False ham, None when it
    could not answer (the pipeline then goes on without it)."""
    data = urllib.parse.urlencode({"api_key": key, **fields}).encode()
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            answer = response.read(64).decode().strip()
    except (urllib.error.URLError, TimeoutError, OSError):
        logger.warning("Akismet-compatible service at %s did not answer", url)
        return None
    return {"true": True, "false": False}.get(answer)


def ask_spam_service(submission: Submission) -> bool | None:
    """Ask the configured Akismet-compatible service about a submission (None when off)."""
    key = conf.akismet_key()
    if not key:
        return None
    return akismet_check(
        url=conf.akismet_url(),
        key=key,
        fields={
            "blog": conf.akismet_site(),
            "comment_type": "comment",
            "comment_content": submission.body,
            "comment_author_email": submission.guest_email,
            "permalink": submission.thread.url,
        },
    )


def akismet(submission: Submission) -> Decision | None:
    # Asked once per submission, before the posting transaction (pipeline.prepare): a
    # network call must not hold the database's write lock.
    return (
        Decision(Verdict.SPAM, reasons.SPAM_SERVICE())
        if submission.spam_service_says_spam
        else None
    )
