"""One keyed hash for every pseudonym Broadsheet stores or compares: a guest's reader id,
a guest's e-mail address (sanctions), an IP (sanctions, rate limits), an author's avatar.

The key is BROADSHEET_HASHING_KEY, never SECRET_KEY: these hashes are stored and looked
up by equality, so they must outlive a rotation of the session-signing key (rotating it
used to detach every guest from their comments and lift every ban by e-mail or IP).
docs/decisions/hashing-key.md says why a dedicated key rather than SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from functools import cache

from django.conf import settings


class Purpose(StrEnum):
    """What a hash is for, as blake2b's personalisation: the same value hashed for two
    purposes gives unrelated digests. The labels are those the stored hashes were made
    with, so existing rows keep matching."""

    READER = "bs-reader"
    EMAIL = "bs-email"
    AVATAR = "bs-avatar"
    # IP hashes were first stored with no label; kept so that stored IP bans still match.
    IP = ""


@cache
def _key(hashing_key: str) -> bytes:
    return hashing_key.encode()[:64]


def keyed_hash(purpose: Purpose, value: str, *, digest_size: int = 16) -> str:
    """The hex digest of `value` for `purpose` under the hashing key."""
    return hashlib.blake2b(
        value.encode(),
        key=_key(settings.BROADSHEET_HASHING_KEY),
        digest_size=digest_size,
        person=purpose.value.encode(),
    ).hexdigest()
