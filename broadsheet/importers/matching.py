"""Which discussion here an imported thread belongs to.

Old systems name a page by an identifier (Disqus's ``<id>``, Isso's URI) and by the
address it had. Addresses drift: http became https, ``www.`` came and went, trailing
slashes, tracking query strings, ``&#038;`` where ``&`` was meant. A thread is matched,
in this order, by:

1. its identifier equal to a registered thread's key;
2. its address (after --url-map) normalised, host and path and query, equal to an
   article's or a registered thread's address;
3. the same without the host (a site that moved to a new domain);
4. the same without the query string (but never down to the bare home page);
5. a redirect here from its old path (the WordPress importer leaves one per permalink).

Nothing matched: a thread of its own is registered under the identifier (else the
address), so an embed on that page shows it later, and the report lists it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.utils.encoding import iri_to_uri
from wagtail.contrib.redirects.models import Redirect

from broadsheet.articles.models import ArticlePage
from broadsheet.discussion.models import Thread

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_)")


@dataclass(frozen=True)
class NormalUrl:
    host: str
    path: str
    query: str

    @property
    def full(self) -> str:
        return f"{self.host}{self.path}?{self.query}" if self.query else self.host + self.path

    @property
    def local(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def normalise_url(url: str) -> NormalUrl | None:
    """An address reduced to what names the page: entities decoded, scheme, ``www.``,
    port 80/443, fragment, tracking parameters and trailing slash dropped, host in
    lower case, remaining query parameters sorted. None for what is no address."""
    url = html.unescape(html.unescape(url.strip()))
    if not url:
        return None
    if url.startswith("//"):
        url = "http:" + url
    parts = urlsplit(iri_to_uri(url))
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/").rstrip("/") or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    return NormalUrl(host=host, path=path, query=query)


def load_url_map(path: str | Path | None) -> dict[str, str]:
    """``OLD NEW`` per line (whitespace or a comma between); a line starting with ``#``
    is a comment. Keys are normalised, so the old address may be written in any of its
    spellings."""
    if not path:
        return {}
    mapping: dict[str, str] = {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field for field in re.split(r"[,\s]+", line) if field]
        if len(fields) != 2:
            raise ValueError(f"{path}, line {number}: expected OLD NEW, found {raw!r}")
        old = normalise_url(fields[0])
        if old is None:
            raise ValueError(f"{path}, line {number}: {fields[0]!r} is not an address")
        mapping[old.full] = fields[1]
        mapping.setdefault(old.local, fields[1])
    return mapping


@dataclass(frozen=True)
class ThreadTarget:
    """Where an imported thread goes: an existing thread, or a key to register."""

    key: str
    title: str
    url: str
    how: str  # "identifier", "address", "path", "redirect", "unmatched"
    thread_id: int | None = None  # set when the thread exists already


class ThreadMatcher:
    """The site's articles and registered threads, indexed once per import."""

    def __init__(self, url_map: dict[str, str] | None = None) -> None:
        self.url_map = url_map or {}
        self.by_key: dict[str, tuple[int, str, str]] = {}
        self.by_full: dict[str, str] = {}
        self.by_local: dict[str, str] = {}
        self.articles: dict[str, tuple[str, str]] = {}  # thread key -> (title, url)
        self.redirects: dict[str, str] = {}
        for pk, key, title, url in Thread.objects.values_list("pk", "key", "title", "url"):
            self.by_key[key] = (pk, title, url)
            self._index(url, key)
        for page in ArticlePage.objects.live().specific().iterator():
            key = page.thread_key
            url = page.get_url() or ""
            self.articles[key] = (page.title, url)
            self._index(page.get_full_url() or url, key)
            self._index(url, key)
        for old_path, page_id in Redirect.objects.filter(redirect_page__isnull=False).values_list(
            "old_path", "redirect_page_id"
        ):
            self.redirects[old_path.rstrip("/") or "/"] = f"article-{page_id}"

    def _index(self, url: str, key: str) -> None:
        normal = normalise_url(url) if url else None
        if normal is None:
            return
        if normal.host:
            self.by_full.setdefault(normal.full, key)
        self.by_local.setdefault(normal.local, key)

    def _target(self, key: str, how: str) -> ThreadTarget | None:
        if key in self.by_key:
            pk, title, url = self.by_key[key]
            return ThreadTarget(key=key, title=title, url=url, how=how, thread_id=pk)
        if key in self.articles:
            title, url = self.articles[key]
            return ThreadTarget(key=key, title=title, url=url, how=how)
        return None

    def remember(self, target: ThreadTarget, thread_id: int) -> None:
        """A thread registered during this import is found by later threads too."""
        self.by_key[target.key] = (thread_id, target.title, target.url)
        self._index(target.url, target.key)

    def match(self, *, identifier: str, link: str, title: str) -> ThreadTarget:
        identifier = html.unescape(identifier.strip())
        if identifier and (found := self._target(identifier, "identifier")):
            return found
        normal = normalise_url(link) if link else None
        if normal is not None:
            mapped = self.url_map.get(normal.full) or self.url_map.get(normal.local)
            if mapped:
                normal = normalise_url(mapped) or normal
            steps = [
                (self.by_full, normal.full, "address"),
                (self.by_local, normal.local, "path"),
            ]
            if normal.query and normal.path != "/":
                steps.append((self.by_local, normal.path, "path without query"))
            for index, wanted, how in steps:
                key = index.get(wanted)
                if key and (found := self._target(key, how)):
                    return found
            for candidate in (normal.local, normal.path):
                key = self.redirects.get(candidate.rstrip("/") or "/")
                if key and (found := self._target(key, "redirect")):
                    return found
        clean_link = html.unescape(link.strip())
        key = identifier or clean_link
        url = clean_link if clean_link.startswith(("http://", "https://", "/")) else ""
        return ThreadTarget(key=key[:500], title=title[:300], url=url[:2000], how="unmatched")
