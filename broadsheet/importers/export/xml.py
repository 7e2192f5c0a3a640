"""Small helpers for writing XML exports as streams of text."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

__all__ = ["absolute", "cdata", "el", "escape", "quoteattr", "utc"]


def cdata(text: str) -> str:
    """Text as CDATA, safe whatever it holds ("]]>" split across two sections)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def el(name: str, text: str | None, *, raw: bool = False) -> str:
    if not text:
        return f"<{name}/>" if text is None else f"<{name}></{name}>"
    return f"<{name}>{text if raw else escape(text)}</{name}>"


def utc(value: datetime, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return value.astimezone(UTC).strftime(fmt)


def absolute(url: str) -> str:
    """A thread's or page's address, absolute on SITE_URL when stored as a path."""
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url
    return url
