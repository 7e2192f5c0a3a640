"""Signatures of what Broadsheet sends to other servers (webhooks, the external moderation
call): HMAC-SHA256 over ``<timestamp>.<body>``, one ``v1=`` per secret.

The header reads ``Broadsheet-Signature: t=1733240000,v1=<hex>[,v1=<hex>]``. During a
key rotation a delivery carries one signature per valid secret, so a receiver that
knows either secret accepts it. Receivers check the timestamp against their clock
(docs/webhooks.md) so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Broadsheet-Signature"
DEFAULT_TOLERANCE = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"] + [f"v1={signature(s, timestamp, body)}" for s in secrets]
    return ",".join(parts)


def verify(
    header: str, body: bytes, secret: str, *, now: int, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """What a receiver does: some v1 signature matches `secret` and the timestamp is
    within `tolerance` seconds of `now` (our own tests use it as a receiver would)."""
    timestamp, candidates = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
