"""Settings of the embed, each with its default.

Read at call time (``core.settings_read.setting``: "BROADSHEET_EMBED_<NAME>", else its
default); the docstring of each accessor is its documentation in docs/settings.md.
"""

from __future__ import annotations

from typing import Any

from broadsheet.core.settings_read import settings_reader

PREFIX = "BROADSHEET_EMBED_"

DEFAULTS: dict[str, Any] = {
    "HOST_POLICY": "broadsheet.articles.discussion_policy.article_policy",
    "FRAGMENT_MAX_AGE": 60,
    "READER_TOKEN_MAX_AGE": 365 * 24 * 3600,
    "SIGNIN_TOKEN_MAX_AGE": 24 * 3600,
    "WEBHOOK_TIMEOUT": 5.0,
    "WEBHOOK_MAX_ATTEMPTS": 6,
    "WEBHOOK_BACKOFF": 30,
    "WEBHOOK_DISABLE_AFTER": 10,
    "WEBHOOK_MAX_RESPONSE_BYTES": 65536,
    "WEBHOOK_ROTATION_HOURS": 24,
    "WEBHOOK_LOST_AFTER": 300,
    "SSO_MAX_AGE": 3600,
}


_get = settings_reader(PREFIX, DEFAULTS)


def host_policy() -> str:
    """BROADSHEET_EMBED_HOST_POLICY (default the articles' policy): the discussion policy
    of threads that are not an embedding site's (the embed's policy,
    ``broadsheet.embed.policy.embed_policy``, answers for site threads itself)."""
    return str(_get("HOST_POLICY"))


def fragment_max_age() -> int:
    """BROADSHEET_EMBED_FRAGMENT_MAX_AGE (seconds, default 60): how long caches and
    server-side includes may reuse an anonymous discussion fragment (they revalidate with
    its ETag afterwards)."""
    return int(_get("FRAGMENT_MAX_AGE"))


def reader_token_max_age() -> int:
    """BROADSHEET_EMBED_READER_TOKEN_MAX_AGE (seconds, default one year): how long a
    guest's embed reader token is honoured (it stands in for the reader cookie)."""
    return int(_get("READER_TOKEN_MAX_AGE"))


def signin_token_max_age() -> int:
    """BROADSHEET_EMBED_SIGNIN_TOKEN_MAX_AGE (seconds, default one day): how long the
    token handed to an embed after signing in (popup or SSO) is honoured."""
    return int(_get("SIGNIN_TOKEN_MAX_AGE"))


def webhook_timeout() -> float:
    """BROADSHEET_EMBED_WEBHOOK_TIMEOUT (seconds, default 5): connect and read timeout of
    one webhook delivery attempt."""
    return float(_get("WEBHOOK_TIMEOUT"))


def webhook_max_attempts() -> int:
    """BROADSHEET_EMBED_WEBHOOK_MAX_ATTEMPTS (default 6): attempts per delivery before it
    is marked failed."""
    return int(_get("WEBHOOK_MAX_ATTEMPTS"))


def webhook_backoff() -> int:
    """BROADSHEET_EMBED_WEBHOOK_BACKOFF (seconds, default 30): the first retry's delay;
    each further retry waits twice as long (30 s, 1 min, 2 min, 4 min, 8 min)."""
    return int(_get("WEBHOOK_BACKOFF"))


def webhook_disable_after() -> int:
    """BROADSHEET_EMBED_WEBHOOK_DISABLE_AFTER (default 10): consecutive failed attempts
    after which an endpoint is disabled until an admin enables it again."""
    return int(_get("WEBHOOK_DISABLE_AFTER"))


def webhook_max_response_bytes() -> int:
    """BROADSHEET_EMBED_WEBHOOK_MAX_RESPONSE_BYTES (default 65536): the most of a
    receiver's answer that is read (the first KB is kept in the delivery log)."""
    return int(_get("WEBHOOK_MAX_RESPONSE_BYTES"))


def webhook_rotation_hours() -> int:
    """BROADSHEET_EMBED_WEBHOOK_ROTATION_HOURS (default 24): after a secret is rotated,
    how long deliveries carry a signature with the previous secret too."""
    return int(_get("WEBHOOK_ROTATION_HOURS"))


def webhook_lost_after() -> int:
    """BROADSHEET_EMBED_WEBHOOK_LOST_AFTER (seconds, default 300): an attempt that has not
    reported back this long after it began (its worker stopped or crashed), or a delivery
    no task has taken this long after it was made, is sent again by the sweep
    (``send_due_webhooks``); far longer than one attempt may take."""
    return int(_get("WEBHOOK_LOST_AFTER"))


def sso_max_age() -> int:
    """BROADSHEET_EMBED_SSO_MAX_AGE (seconds, default 3600): the longest life (exp − iat)
    of a host's SSO token that is accepted."""
    return int(_get("SSO_MAX_AGE"))
