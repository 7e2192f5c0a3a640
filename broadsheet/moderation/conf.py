"""Settings of moderation, each with its default.

Read at call time (``core.settings_read.setting``: "BROADSHEET_MODERATION_<NAME>", else
its default); the docstring of each accessor is its documentation in docs/settings.md.
"""

from __future__ import annotations

from typing import Any

from broadsheet.core.settings_read import settings_reader

PREFIX = "BROADSHEET_MODERATION_"

DEFAULTS: dict[str, Any] = {
    "MODE": "none",
    "NEW_COMMENTER_COMMENTS": 1,
    "MAX_LINKS": 3,
    "DUPLICATE_WINDOW": 600,
    "FLOOD_LIMIT": (8, 300),
    "ACCOUNT_RATE_LIMIT": (5, 60),
    "MIN_SUBMIT_SECONDS": 0,
    "SPAM_THRESHOLD": 5,
    "AKISMET_KEY": "",
    "AKISMET_URL": "https://rest.akismet.com/1.1/comment-check",
    "AKISMET_SITE": "",
    "REPORTS_TO_HOLD": 3,
    "REPORT_RATE_LIMIT": (10, 3600),
    "TRUST_AFTER": 5,
    "AUTO_CLOSE_DAYS": 0,
    "DIGEST_RECIPIENTS": (),
    "EXTERNAL_URL": "",
    "EXTERNAL_SECRET": "",
    "EXTERNAL_TIMEOUT": 2.0,
}


_get = settings_reader(PREFIX, DEFAULTS)


def mode() -> str:
    """BROADSHEET_MODERATION_MODE (default "none"): "none" publishes every comment
    the rules pass; "new_commenters" holds the first comments of a commenter who is not
    yet trusted; "all" holds every comment for a moderator."""
    return str(_get("MODE"))


def new_commenter_comments() -> int:
    """BROADSHEET_MODERATION_NEW_COMMENTER_COMMENTS (default 1): in "new_commenters" mode,
    how many of a commenter's first comments wait for a moderator."""
    return int(_get("NEW_COMMENTER_COMMENTS"))


def max_links() -> int:
    """BROADSHEET_MODERATION_MAX_LINKS (default 3): a comment with more links is held."""
    return int(_get("MAX_LINKS"))


def duplicate_window() -> int:
    """BROADSHEET_MODERATION_DUPLICATE_WINDOW (seconds, default 600): the same text from the
    same commenter or IP within this time is refused as a duplicate."""
    return int(_get("DUPLICATE_WINDOW"))


def flood_limit() -> tuple[int, int]:
    """BROADSHEET_MODERATION_FLOOD_LIMIT (default (8, 300)): more comments than this per
    window of seconds from one account or IP are held as a flood."""
    limit, window = _get("FLOOD_LIMIT")
    return int(limit), int(window)


def account_rate_limit() -> tuple[int, int]:
    """BROADSHEET_MODERATION_ACCOUNT_RATE_LIMIT (default (5, 60)): comments allowed per
    account per window of seconds (the discussion limits per IP as well)."""
    limit, window = _get("ACCOUNT_RATE_LIMIT")
    return int(limit), int(window)


def min_submit_seconds() -> int:
    """BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS (default 0: off; 3 is a good production
    value): a comment form sent back sooner than this after it was rendered is held for a
    moderator (the API skips this check). Off by default because browser automation
    (and the test suite's) fills forms faster than any person."""
    return int(_get("MIN_SUBMIT_SECONDS"))


def spam_threshold() -> int:
    """BROADSHEET_MODERATION_SPAM_THRESHOLD (default 5): the local spam score at or above
    which a comment from a commenter who is not trusted is held."""
    return int(_get("SPAM_THRESHOLD"))


def akismet_key() -> str:
    """BROADSHEET_MODERATION_AKISMET_KEY (default "": off): an Akismet (or compatible)
    API key; set, every comment is also checked by that service."""
    return str(_get("AKISMET_KEY"))


def akismet_url() -> str:
    """BROADSHEET_MODERATION_AKISMET_URL (default Akismet's comment-check endpoint): where
    the Akismet-compatible service answers."""
    return str(_get("AKISMET_URL"))


def akismet_site() -> str:
    """BROADSHEET_MODERATION_AKISMET_SITE (default ""): the "blog" URL sent to Akismet."""
    return str(_get("AKISMET_SITE"))


def reports_to_hold() -> int:
    """BROADSHEET_MODERATION_REPORTS_TO_HOLD (default 3): reader reports that take a
    comment off the page until a moderator looks at it."""
    return int(_get("REPORTS_TO_HOLD"))


def report_rate_limit() -> tuple[int, int]:
    """BROADSHEET_MODERATION_REPORT_RATE_LIMIT (default (10, 3600)): reports one reader or
    IP may send per window of seconds."""
    limit, window = _get("REPORT_RATE_LIMIT")
    return int(limit), int(window)


def trust_after() -> int:
    """BROADSHEET_MODERATION_TRUST_AFTER (default 5): approved comments, with none rejected,
    after which a commenter is trusted (published at once, no spam-score hold)."""
    return int(_get("TRUST_AFTER"))


def auto_close_days() -> int:
    """BROADSHEET_MODERATION_AUTO_CLOSE_DAYS (default 0: never): discussions whose thread is
    older than this many days take no new comments."""
    return int(_get("AUTO_CLOSE_DAYS"))


def digest_recipients() -> list[str]:
    """BROADSHEET_MODERATION_DIGEST_RECIPIENTS (default (): every active moderator with an
    e-mail address): who receives the moderation digest."""
    return [str(address) for address in _get("DIGEST_RECIPIENTS")]


def external_url() -> str:
    """BROADSHEET_MODERATION_EXTERNAL_URL (default "": off): the external moderation
    service each new comment is sent to before it is stored (rules/external.py)."""
    return str(_get("EXTERNAL_URL"))


def external_secret() -> str:
    """BROADSHEET_MODERATION_EXTERNAL_SECRET (default ""): the HMAC-SHA256 key that signs
    the external moderation call (Broadsheet-Signature, as webhooks)."""
    return str(_get("EXTERNAL_SECRET"))


def external_timeout() -> float:
    """BROADSHEET_MODERATION_EXTERNAL_TIMEOUT (seconds, default 2): after this the
    external moderation phase is skipped for that comment."""
    return float(_get("EXTERNAL_TIMEOUT"))
