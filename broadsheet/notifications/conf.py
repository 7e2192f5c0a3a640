"""Settings of the notifications app, each with its default.

Read at call time (``core.settings_read.setting``: "BROADSHEET_NOTIFICATIONS_<NAME>",
else its default); the docstring of each accessor is its documentation in
docs/settings.md.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from django.conf import settings

from broadsheet.core.settings_read import settings_reader

PREFIX = "BROADSHEET_NOTIFICATIONS_"

DEFAULTS: dict[str, Any] = {
    "DIGEST_INTERVAL": 600,
    "CONFIRMATION_INTERVAL": 600,
    "SUBSCRIBE_RATE_LIMIT": (10, 3600),
    "MAX_ATTEMPTS": 5,
    "RETRY_DELAY": 60,
    "UNSUBSCRIBE_MAILTO": "",
}


_get = settings_reader(PREFIX, DEFAULTS)


def digest_interval() -> int:
    """BROADSHEET_NOTIFICATIONS_DIGEST_INTERVAL (seconds, default 600): at most one e-mail
    per subscription per this interval; comments arriving meanwhile go out together as
    one digest at the end of it."""
    return int(_get("DIGEST_INTERVAL"))


def confirmation_interval() -> int:
    """BROADSHEET_NOTIFICATIONS_CONFIRMATION_INTERVAL (seconds, default 600): at most one
    confirmation e-mail per address per this interval, however often it is asked for."""
    return int(_get("CONFIRMATION_INTERVAL"))


def subscribe_rate_limit() -> tuple[int, int]:
    """BROADSHEET_NOTIFICATIONS_SUBSCRIBE_RATE_LIMIT (default (10, 3600)): subscription
    requests one client IP (keyed hash) may make per window of seconds."""
    limit, window = _get("SUBSCRIBE_RATE_LIMIT")
    return int(limit), int(window)


def max_attempts() -> int:
    """BROADSHEET_NOTIFICATIONS_MAX_ATTEMPTS (default 5): how often a digest is tried when
    the mail server fails before it is given up (recorded as failed)."""
    return int(_get("MAX_ATTEMPTS"))


def retry_delay() -> int:
    """BROADSHEET_NOTIFICATIONS_RETRY_DELAY (seconds, default 60): the wait before the
    second attempt of a failed digest; it doubles with every further attempt."""
    return int(_get("RETRY_DELAY"))


def unsubscribe_mailto() -> str:
    """BROADSHEET_NOTIFICATIONS_UNSUBSCRIBE_MAILTO (default: the address of
    DEFAULT_FROM_EMAIL): the mailbox named in the ``mailto:`` part of List-Unsubscribe."""
    configured = str(_get("UNSUBSCRIBE_MAILTO") or "")
    if configured:
        return configured
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "news@localhost"
