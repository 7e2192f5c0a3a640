"""The JSON Lines format's shared pieces: its name and version, dates, the origin.

A file is one header line, then one record per line (``{"type": ...}``), then an end
line with the counts of what was written, so a reader can tell a whole file from a cut
one before it writes anything.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

FORMAT = "broadsheet-site"
VERSION = 1
SOURCE = "site"  # ImportedRecord.source of rows a restore made

RECORD_TYPES = (
    "account",
    "image",
    "author",
    "section",
    "article",
    "redirect",
    "thread",
    "comment",
    "subscription",
    "sanction",
    "reactions",
    "end",
)


def origin() -> str:
    """A stable name for this site in its exports: a fingerprint of the hashing key (the
    key itself never leaves the site). Rows a restore makes are recorded under
    ``<origin>:<id>``, so the same export, or a newer one from the same site, can be
    imported again without duplicates. Two sites with the same hashing key share a
    fingerprint, which is also how a reader can tell that their hashes (guests' reader
    ids, e-mail and IP hashes) mean the same people."""
    key = settings.BROADSHEET_HASHING_KEY.encode()
    return hashlib.sha256(b"broadsheet-export-origin\0" + key).hexdigest()[:16]


def when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_when(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field} is not a date")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{field} {value!r} has no time zone")
    return parsed.astimezone(UTC)


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def header(*, articles: bool) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "origin": origin(),
        "site_url": settings.SITE_URL,
        "exported_at": when(datetime.now(tz=UTC)),
        "articles": articles,
    }
