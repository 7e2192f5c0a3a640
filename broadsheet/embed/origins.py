"""Which pages an embedding site may show a discussion on, and the thread key of a page.

Pure functions, no database. An allowed origin is written as an admin types it, one per
line: ``https://example.org``, ``https://example.org/blog`` (pages under that path only),
``http://localhost:*`` (any port). ``www.`` and the scheme do not make two pages
different, so ``http://www.example.org/a/`` and ``https://example.org/a`` are one thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

# Query parameters that only say where a visitor came from: dropped from the thread key
# and from the URL kept on the thread.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_")
TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref", "ref_src", "_ga", "_gl"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Thread.key holds 500 characters; longer page keys are replaced by a digest.
MAX_KEY_LENGTH = 400


@dataclass(frozen=True)
class OriginRule:
    """One allowed origin: scheme, host, port (None: the default; -1: any) and a path
    prefix ("" for the whole origin)."""

    scheme: str
    host: str
    port: int | None
    path: str

    def allows_origin(self, scheme: str, host: str, port: int | None) -> bool:
        if scheme != self.scheme or _bare(host) != _bare(self.host):
            return False
        if self.port == -1:
            return True
        return (port or DEFAULT_PORTS.get(scheme)) == (self.port or DEFAULT_PORTS.get(scheme))

    def allows_path(self, path: str) -> bool:
        if not self.path:
            return True
        return path == self.path or path.startswith(self.path.rstrip("/") + "/")

    @property
    def csp_source(self) -> str:
        """The rule as a CSP source expression (frame-ancestors)."""
        if self.port == -1:
            return f"{self.scheme}://{self.host}:*"
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{self.host}{port}"


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def parse_rule(line: str) -> OriginRule:
    """An allowed-origin line; ValueError with a readable message when it is not one."""
    text = line.strip()
    any_port = False
    if text.endswith(":*") or ":*/" in text:
        any_port = True
        text = text.replace(":*", "", 1)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{line.strip()!r} is not an origin like https://example.org")
    if parts.query or parts.fragment or parts.username:
        raise ValueError(f"{line.strip()!r}: an origin has no query, fragment or user")
    try:
        port = -1 if any_port else parts.port
    except ValueError:
        raise ValueError(f"{line.strip()!r}: the port is not a number") from None
    path = parts.path.rstrip("/")
    return OriginRule(parts.scheme, parts.hostname.lower(), port, path)


def parse_rules(text: str) -> list[OriginRule]:
    return [parse_rule(line) for line in text.splitlines() if line.strip()]


def origin_allowed(rules: list[OriginRule], origin: str) -> bool:
    """True when a browser's Origin header (scheme://host[:port]) is one of `rules`."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return False
    try:
        port = parts.port
    except ValueError:
        return False
    return any(rule.allows_origin(parts.scheme, parts.hostname, port) for rule in rules)


def url_allowed(rules: list[OriginRule], url: str) -> bool:
    """True when the page at `url` is under one of `rules` (origin and path prefix)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    try:
        port = parts.port
    except ValueError:
        return False
    path = parts.path or "/"
    return any(
        rule.allows_origin(parts.scheme, parts.hostname, port) and rule.allows_path(path)
        for rule in rules
    )


def _kept_query(query: str) -> str:
    pairs = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not name.lower().startswith(TRACKING_PREFIXES) and name.lower() not in TRACKING_NAMES
    ]
    return urlencode(sorted(pairs))


def clean_url(url: str) -> str:
    """The page's address as kept on its thread: no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    query = _kept_query(parts.query)
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path or '/'}" + (
        f"?{query}" if query else ""
    )


def normalise_url(url: str) -> str:
    """The page's identity: host without ``www.`` and default port, path without trailing
    slash, query without tracking parameters and sorted, no scheme, no fragment."""
    parts = urlsplit(url.strip())
    host = _bare(parts.hostname or "")
    port = parts.port
    if port and port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    query = _kept_query(parts.query)
    return host + path + (f"?{query}" if query else "")


def page_key(site_id: int, *, url: str, identifier: str = "") -> str:
    """The thread key of a page of site `site_id`: the explicit identifier when the host
    gives one (it survives a change of address), else the normalised URL."""
    name = f"id:{identifier.strip()}" if identifier.strip() else normalise_url(url)
    if len(name) > MAX_KEY_LENGTH:
        name = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
    return f"site:{site_id}:{name}"


def key_prefix(site_id: int) -> str:
    """Every thread key of site `site_id` starts with this (the moderation queue filter)."""
    return f"site:{site_id}:"
