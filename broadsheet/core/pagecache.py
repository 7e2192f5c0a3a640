"""The anonymous page cache: whole pages for readers we know nothing about.

A viral story is read by many first-time visitors at once; they all see the same page,
so it is rendered once and served from the cache (Redis with REDIS_URL, else the file
cache shared by the processes of one machine).

- Only pages that opt in are cached (`mark_cacheable(request, scopes)`), and only for
  GET/HEAD requests that carry neither a session nor a reader cookie: a reader who has
  signed in, voted or commented has state of their own on the page (my vote, my pending
  comment, Edit links), and is always served a fresh render.
- Each cached page records the *scopes* it depends on (e.g. `thread:article-12`,
  `listings`, `site`) with their versions (broadsheet.core.versions: shared memory on
  one machine, the shared cache with Redis). Actions bump a scope after their
  transaction commits (`bump(...)`); a page whose scopes moved on is rendered again.
  Invalidation is therefore immediate and exact to the scope, whatever the number of
  processes.
- The CSRF token is per reader: it is cut out of the cached HTML and punched back in on
  every hit with a fresh token (which also sets the reader's CSRF cookie), so no two
  readers ever share one.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_SECRET_LENGTH, get_token
from django.utils.cache import patch_vary_headers

from broadsheet.core.clients import READER_COOKIE
from broadsheet.core.versions import scope_versions

HOLE = b"\x00csrf\x00"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
CSRF_HOLE = b'name="csrfmiddlewaretoken" value="' + HOLE + b'"'
CSRF_META = re.compile(rb'<meta name="csrf-token" content="[A-Za-z0-9]+">')
CSRF_META_HOLE = b'<meta name="csrf-token" content="' + HOLE + b'">'
HIT_HEADER = "X-Page-Cache"
PAGE_PREFIX = "pc:"
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")
# Moves with every bump of any scope (see AnonymousPageCacheMiddleware.__call__).
GENERATION = "*"


def mark_cacheable(request: HttpRequest, scopes: Iterable[str]) -> None:
    """Declare that this page may be cached for anonymous readers, and what it shows."""
    request._page_cache_scopes = ["site", *scopes]  # type: ignore[attr-defined]


def bump(*scopes: str) -> None:
    """Invalidate every cached page that shows any of these scopes."""
    scope_versions().bump((*scopes, GENERATION))


def forget_everything() -> None:
    """Every scope gets a new version and this process drops its pages (tests use it
    between cases; an operator never needs it)."""
    scope_versions().reset()
    _local_pages.entries.clear()


def is_anonymous_reader(request: HttpRequest) -> bool:
    """No session, reader or pending-messages cookie: nothing on the page is theirs."""
    cookies = request.COOKIES
    return not any(
        name in cookies for name in (settings.SESSION_COOKIE_NAME, READER_COOKIE, "messages")
    )


def _page_key(request: HttpRequest) -> str:
    return f"{PAGE_PREFIX}{request.get_host()}{request.get_full_path()}"


def _prepare_csrf(request: HttpRequest) -> bool:
    """Make get_token() mask the reader's own secret; True when the cookie must be set.

    The CSRF middleware has not run for a cache hit, so its cookie is read here the
    way it would read it; an absent or malformed one gets a new secret from get_token.
    """
    existing = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(existing) == CSRF_SECRET_LENGTH and existing.isalnum():
        request.META["CSRF_COOKIE"] = existing
        return False
    return True


def _set_csrf_cookie(response: HttpResponse, secret: str) -> None:
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )


class _LocalPages:
    """The last pages this process served, so a hit costs one small shared-cache read
    (the scope versions) instead of fetching and unpickling the whole page."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


_local_pages = _LocalPages()


class AnonymousPageCacheMiddleware:
    """Serve and store opted-in pages for anonymous readers (see the module docstring).

    It sits near the top of the middleware stack so that a hit skips sessions,
    authentication, messages and CSRF processing; it sets the reader's CSRF cookie and
    the framing header itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not is_anonymous_reader(request):
            return self.get_response(request)
        key = _page_key(request)
        versions = scope_versions()
        entry = _local_pages.get(key) or cache.get(key)
        if entry is not None:
            current = versions.read(entry["scopes"])
            if current != entry["versions"]:
                shared = cache.get(key)  # another process may have rendered it anew
                if shared is not None and current == shared["versions"]:
                    _local_pages.put(key, shared)
                    return self._from_entry(request, shared)
            else:
                return self._from_entry(request, entry)

        # The versions a new entry carries must be read BEFORE rendering: a bump that
        # lands while the page renders must leave the entry stale. The scopes are only
        # known after rendering, so the stale entry's scopes stand in for them (the
        # usual case); on a page's first render, the bump generation tells whether any
        # bump at all raced the render, and then nothing is stored.
        expected: list[str] = list(entry["scopes"]) if entry is not None else []
        before = versions.read([*expected, GENERATION])
        response = self.get_response(request)
        scopes = getattr(request, "_page_cache_scopes", None)
        if not scopes or not self._storable(response):
            return response
        response[HIT_HEADER] = "miss"
        if scopes == expected:
            stored = before[:-1]
        else:
            after = versions.read([*scopes, GENERATION])
            if after[-1] != before[-1]:
                return response
            stored = after[:-1]
        body = CSRF_META.sub(CSRF_META_HOLE, CSRF_FIELD.sub(CSRF_HOLE, response.content))
        entry = {
            "scopes": scopes,
            "versions": stored,
            "parts": body.split(HOLE),
            "status": response.status_code,
            "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
        }
        cache.set(key, entry, settings.BROADSHEET_PAGE_CACHE_SECONDS)
        _local_pages.put(key, entry)
        return response

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        if response.status_code != 200 or response.streaming:
            return False
        # A page that sets a cookie other than the CSRF one carries per-reader state.
        return all(name == settings.CSRF_COOKIE_NAME for name in response.cookies)

    @staticmethod
    def _from_entry(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
        parts: list[bytes] = entry["parts"]
        new = False
        body = parts[0]
        if len(parts) > 1:
            new = _prepare_csrf(request)
            # One masked token for every form of the page, as Django's context processor
            # does (a page of comments has dozens of vote forms).
            token = get_token(request).encode()
            body += b"".join(token + part for part in parts[1:])
        response = HttpResponse(body, status=entry["status"])
        for header, value in entry["headers"].items():
            response[header] = value
        response[HIT_HEADER] = "hit"
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        patch_vary_headers(response, ("Cookie",))
        if new:
            _set_csrf_cookie(response, request.META["CSRF_COOKIE"])
        return response
