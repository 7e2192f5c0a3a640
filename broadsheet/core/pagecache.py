"""The anonymous page cache: whole pages for readers we know nothing about.

A viral story is read by many first-time visitors at once; they all see the same page,
so it is rendered once and served from the cache.

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
  readers ever share one. With CSRF_USE_SESSIONS the secret lives in a session, which
  an anonymous hit has not got: pages with a token are then never stored. Where it
  goes is recorded when the page is stored, as the positions of the form fields whose
  value is a token of the rendering request's own secret (`_parts_around_tokens`),
  never by a marker in the stored bytes: nothing a reader writes can make a later
  reader's token appear anywhere else on the page.
- An entry keeps the page exactly as the whole middleware stack answered it (status and
  every header: CSP, framing, Vary...), because the middleware that stores it is the
  outermost one but compression's. It is compressed once, when stored
  (broadsheet.core.compression.PrecompressedPage), so a hit answers in the coding the
  reader accepts without compressing anything. A hit replays it, so it can be served
  before Django runs at all:
  `serve_cached_pages` wraps the WSGI application (config/wsgi.py) and answers hits
  without building a request, sending signals or running middleware — a hit then costs
  about what a minimal Django view does (docs/performance.md). Misses, and everything
  that is not a plain anonymous GET, go to Django as before; the middleware answers hits
  too (test client, ASGI). A miss carries what the look-up found into Django (the
  LOOKED_UP environ key), so a request looks its page up once either way.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.middleware.csrf import (  # type: ignore[attr-defined]  # _unmask_cipher_token
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.utils.cache import patch_vary_headers

from broadsheet.core.clients import PERSONAL_COOKIES
from broadsheet.core.compression import PrecompressedPage, chosen_encoding, is_compressible
from broadsheet.core.csrf_tokens import masked_csrf_token, random_csrf_chars
from broadsheet.core.languages import requested_language
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.core.versions import scope_versions

# A form's token field as {% csrf_token %} writes it. Reader content is escaped, so it can
# never produce the quotes this needs; the value must also unmask to the rendering
# request's secret (`_parts_around_tokens`).
CSRF_FIELD = re.compile(
    rb'<input type="hidden" name="csrfmiddlewaretoken" value="(?P<token>[A-Za-z0-9]{%d})">'
    % CSRF_TOKEN_LENGTH
)
HIT_HEADER = "X-Page-Cache"
PAGE_PREFIX = "pc:"
# Per response, never replayed: the reader's cookie and the length of their page.
UNKEPT_HEADERS = {"set-cookie", "content-length", HIT_HEADER.lower()}
# Moves with every bump of any scope (see AnonymousPageCacheMiddleware.__call__).
GENERATION = "*"
# In the WSGI environ of a miss: (page key, stale entry or None) as serve_cached_pages
# found them, so the middleware does not look the page up a second time.
LOOKED_UP = "broadsheet.page_cache.looked_up"

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApplication = Callable[[Environ, StartResponse], Iterable[bytes]]


# Answers under these paths are never cached: the JSON API is for scripts and embedded
# discussions, whose answers carry the reader's own state (votes, rights, held comments)
# or are writes. The page cache does not look them up (on Redis, two round trips saved
# on every API read), and a view under them may not opt in (mark_cacheable refuses).
NEVER_CACHED_PREFIXES = ("/api/",)


def mark_cacheable(request: HttpRequest, scopes: Iterable[str]) -> None:
    """Declare that this page may be cached for anonymous readers, and what it shows."""
    if request.path_info.startswith(NEVER_CACHED_PREFIXES):
        raise ValueError(f"{request.path_info} is never cached (NEVER_CACHED_PREFIXES)")
    request._page_cache_scopes = ["site", *scopes]  # type: ignore[attr-defined]


def bump(*scopes: str) -> None:
    """Invalidate every cached page that shows any of these scopes."""
    scope_versions().bump((*scopes, GENERATION))


# --- who is anonymous, and which page they ask for -----------------------------------------


def _is_anonymous(cookies: dict[str, str]) -> bool:
    """No session, pending-messages or personal cookie (the reader's id, a guest's
    remembered name and e-mail, a confirmed subscriber's address): nothing on the page
    is theirs."""
    return not any(
        name in cookies for name in (settings.SESSION_COOKIE_NAME, "messages", *PERSONAL_COOKIES)
    )


def is_anonymous_reader(request: HttpRequest) -> bool:
    return _is_anonymous(request.COOKIES)


def _scheme(environ: Environ) -> str:
    # As HttpRequest.scheme reads it: a hit must never answer an http:// request that
    # Django would redirect to https:// (only 200 answers are stored, per scheme).
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure else "http"
    return str(environ.get("wsgi.url_scheme", "http"))


def page_key(environ: Environ, cookies: dict[str, str]) -> str:
    """The entry of the page a request asks for, from the raw request.

    Raw host and path: an entry is only ever stored for a request Django accepted (its
    host validated against ALLOWED_HOSTS), and a request whose raw host or path differs
    in any way finds no entry and goes to Django. The interface language the reader asked
    for (language cookie, Accept-Language) is part of the key: a page rendered in Arabic
    is never served to a reader who asked for Spanish (broadsheet.core.languages).
    """
    language = requested_language(
        cookies.get(settings.LANGUAGE_COOKIE_NAME), environ.get("HTTP_ACCEPT_LANGUAGE")
    )
    host = environ.get("HTTP_HOST", "")
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    return f"{PAGE_PREFIX}{_deployment()}:{language}:{_scheme(environ)}://{host}{path}?{query}"


# The code and templates a release renders with (config/: settings such as the
# middleware, whose headers an entry keeps), and which of their files count.
SOURCE_ROOTS = (
    Path(__file__).resolve().parent.parent,
    Path(__file__).resolve().parents[2] / "config",
)
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".xml", ".json", ".mo")


@lru_cache(maxsize=1)
def _deployment() -> str:
    """A fingerprint of the release this process serves, part of every page key: after a
    deploy, pages stored by the previous release are never served again (they stay in the
    shared cache until BROADSHEET_PAGE_CACHE_SECONDS end). Worked out once per process,
    at start-up (serve_cached_pages).

    It is made of the allowed hosts, the static files manifest's hash (collectstatic, run
    by `make static`, writes it: new CSS or JS means new file names in the HTML), the
    publication's language from the environment (BROADSHEET_LANGUAGE), and:

    - BROADSHEET_RELEASE when the deploy sets it (a commit id, a build number: anything
      that changes with every deploy). Nothing else is read from disk.
    - Otherwise, the size and modification time of every source file under SOURCE_ROOTS,
      so that any change of code, templates or settings is a new release wherever the
      code came from (a checkout, a copy, an edit in place). One os.walk, several
      times faster than the pathlib walk it replaces (docs/performance.md).
    """
    digest = hashlib.blake2b(digest_size=6)
    digest.update(repr(sorted(settings.ALLOWED_HOSTS)).encode())
    digest.update(b"\0" + str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    # The publication's language is the environment's: a restart with another one must
    # not serve the pages stored in the old one.
    digest.update(b"\0language\0" + str(settings.BROADSHEET_LANGUAGE).encode())
    release = str(settings.BROADSHEET_RELEASE)
    if release:
        digest.update(b"\0release\0" + release.encode())
    else:
        digest.update(b"\0sources\0" + "\n".join(_source_stamps(SOURCE_ROOTS)).encode())
    return digest.hexdigest()


def _source_stamps(roots: Iterable[Path]) -> list[str]:
    """'root/relative/path:size:mtime' of each source file under `roots`, sorted.

    os.walk (os.scandir underneath) and plain strings: pathlib's rglob built a Path, and
    sorted and relativised it, for every file and directory, bytecode caches included.
    """
    stamps: list[str] = []
    for root in roots:
        start = len(str(root.parent)) + 1
        for directory, subdirectories, files in os.walk(root):
            subdirectories[:] = [
                name for name in subdirectories if name != "__pycache__" and name[0] != "."
            ]
            for name in files:
                if name.endswith(SOURCE_SUFFIXES):
                    path = os.path.join(directory, name)
                    stat = os.stat(path)
                    stamps.append(f"{path[start:]}:{stat.st_size}:{stat.st_mtime_ns}")
    stamps.sort()
    return stamps


# --- the reader's CSRF token ---------------------------------------------------------------
#
# A hit runs before Django, with no request, so Django's public get_token(request) is out
# of reach. Its private helpers would do, but they draw each of a token's 64 characters
# with secrets.choice, and that was most of a hit's time, several times what
# core.csrf_tokens costs with one os.urandom call (docs/decisions/page-cache-csrf.md).
# So a hit masks and makes new secrets with it, in Django's format; storing a page (a miss,
# not hot) checks each token with Django's own _unmask_cipher_token, and a test holds the
# two together (Django accepts the tokens made here).


def _csrf_secret(cookies: dict[str, str]) -> tuple[str, bool]:
    """The reader's CSRF secret, read from their cookie as CsrfViewMiddleware reads it,
    or a new one (True: the cookie must be set). The middleware has not run for a hit.
    (Only pages stored with CSRF_USE_SESSIONS off have tokens: see _parts_around_tokens.)"""
    existing = cookies.get(settings.CSRF_COOKIE_NAME, "")
    if len(existing) == CSRF_SECRET_LENGTH and not existing.strip(CSRF_ALLOWED_CHARS):
        return existing, False
    return random_csrf_chars(), True


def _parts_around_tokens(body: bytes, secret: str) -> list[bytes] | None:
    """The page cut where this render put the reader's CSRF token: at the value of every
    token field, each of which must carry `secret`. A hit joins the parts with its own
    token; no byte of the stored page marks the cuts, so no content can imitate one.

    None when the page must not be stored: a token field that is not this reader's, or a
    token of theirs anywhere but in a token field, would be served to every later reader;
    and with CSRF_USE_SESSIONS a token belongs to a session that a hit cannot give.
    """
    spans: list[tuple[int, int]] = []
    tokens: set[bytes] = set()
    for match in CSRF_FIELD.finditer(body):
        token = match.group("token")
        if settings.CSRF_USE_SESSIONS or not secret:
            return None
        if _unmask_cipher_token(token.decode()) != secret:
            return None
        spans.append(match.span("token"))
        tokens.add(token)
    parts = _cut(body, spans)
    if any(token in part for token in tokens for part in parts):
        return None
    return parts


def _cut(body: bytes, spans: list[tuple[int, int]]) -> list[bytes]:
    """`body` without the bytes at `spans`: the parts a hit joins with its own token."""
    parts, start = [], 0
    for begin, end in spans:
        parts.append(body[start:begin])
        start = end
    parts.append(body[start:])
    return parts


_cookie_templates: dict[int, str] = {}
# Letters only, like a secret: anything else would make the cookie value quoted.
_SECRET_PLACEHOLDER = "CsrfSecretPlaceholder"  # noqa: S105 - not a secret


def _csrf_cookie_header(secret: str) -> str:
    """The Set-Cookie value CsrfViewMiddleware would send for a new secret (never asked
    with CSRF_USE_SESSIONS: no page with a token is stored then). Its expiry moves with
    the clock, so the rest is formatted once a second, not per request."""
    second = int(time.time())
    template = _cookie_templates.get(second)
    if template is None:
        response = HttpResponse()
        response.set_cookie(
            settings.CSRF_COOKIE_NAME,
            _SECRET_PLACEHOLDER,
            max_age=settings.CSRF_COOKIE_AGE,
            domain=settings.CSRF_COOKIE_DOMAIN,
            path=settings.CSRF_COOKIE_PATH,
            secure=settings.CSRF_COOKIE_SECURE,
            httponly=settings.CSRF_COOKIE_HTTPONLY,
            samesite=settings.CSRF_COOKIE_SAMESITE,
        )
        template = response.cookies[settings.CSRF_COOKIE_NAME].output(header="").strip()
        _cookie_templates.clear()
        _cookie_templates[second] = template
    return template.replace(_SECRET_PLACEHOLDER, secret, 1)


# --- entries -------------------------------------------------------------------------------


# The last pages this process served, so a hit costs a read of the scope versions
# instead of fetching and unpickling the whole page from the shared cache.
_local_pages: BoundedLRU[str, dict[str, Any]] = BoundedLRU(
    setting_bytes("BROADSHEET_PAGE_CACHE_LOCAL_BYTES", 8 * 1024 * 1024)
)


def _fresh_entry(key: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the entry to serve, or None; the stale entry seen, or None)."""
    entry = _local_pages.get(key)
    if entry is None:
        entry = cache.get(key)  # another process may have rendered it
        if entry is not None:
            _local_pages.put(key, entry)
    if entry is None:
        return None, None
    current = scope_versions().read(entry["scopes"])
    if current == entry["versions"]:
        return entry, None
    shared = cache.get(key)  # another process may have rendered it anew
    if shared is not None and current == shared["versions"]:
        _local_pages.put(key, shared)
        return shared, None
    return None, entry


def _answer(
    entry: dict[str, Any], cookies: dict[str, str], accept_encoding: str
) -> tuple[bytes, list[tuple[str, str]]]:
    """The body and headers of a hit for this reader: their CSRF token punched in, their
    CSRF cookie set when they had none, in the coding they accept."""
    parts: list[bytes] = entry["parts"]
    headers: list[tuple[str, str]] = [*entry["headers"], (HIT_HEADER, "hit")]
    token = b""
    if len(parts) > 1:
        secret, new_secret = _csrf_secret(cookies)
        # One masked token for every form of the page, as Django's context processor
        # does (a page of comments has dozens of vote forms).
        token = masked_csrf_token(secret).encode()
        if new_secret:
            headers.append(("Set-Cookie", _csrf_cookie_header(secret)))
    compressed: PrecompressedPage | None = entry.get("compressed")
    coding = chosen_encoding(accept_encoding, compressed.offered()) if compressed else None
    if compressed is not None and coding is not None:
        body = compressed.body(coding, token)
        headers.append(("Content-Encoding", coding))
    else:
        body = token.join(parts) if token else parts[0]
    headers.append(("Content-Length", str(len(body))))
    return body, headers


def _cacheable_request(environ: Environ) -> bool:
    path = environ.get("PATH_INFO", "")
    return (
        environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        and not path.startswith(NEVER_CACHED_PREFIXES)
        and not path.startswith(
            (settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")
        )
    )


# --- serving: before Django (WSGI), and inside it (middleware) -----------------------------


def serve_cached_pages(application: WSGIApplication) -> WSGIApplication:
    """Wrap the WSGI application: answer page-cache hits before Django runs (when the
    page cache is on: its middleware, which stores the pages, is installed)."""
    if f"{__name__}.AnonymousPageCacheMiddleware" not in settings.MIDDLEWARE:
        return application
    _deployment()  # at start-up, not on the first reader's request

    def cached_or_django(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or not _cacheable_request(environ):
            return application(environ, start_response)
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if not _is_anonymous(cookies):
            return application(environ, start_response)
        key = page_key(environ, cookies)
        entry, stale = _fresh_entry(key)
        if entry is None:
            environ[LOOKED_UP] = (key, stale)
            return application(environ, start_response)
        body, headers = _answer(entry, cookies, environ.get("HTTP_ACCEPT_ENCODING", ""))
        start_response(f"{entry['status']} {entry['reason']}", headers)
        return [body]

    return cached_or_django


class AnonymousPageCacheMiddleware:
    """Store opted-in pages for anonymous readers, and serve hits that reach Django.

    It must be the first middleware: an entry keeps the response exactly as the whole
    stack made it (see the module docstring).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request.META) or not is_anonymous_reader(request):
            return self.get_response(request)
        key = page_key(request.META, request.COOKIES)
        # Popped: an error page lists request.META, and the stale entry is a whole page.
        looked_up = request.META.pop(LOOKED_UP, None)
        if looked_up is not None and looked_up[0] == key:
            entry, stale = None, looked_up[1]  # a miss before Django ran, microseconds ago
        else:
            entry, stale = _fresh_entry(key)
        if entry is not None:
            return self._from_entry(request, entry)

        # The versions a new entry carries must be read BEFORE rendering: a bump that
        # lands while the page renders must leave the entry stale. The scopes are only
        # known after rendering, so the stale entry's scopes stand in for them (the
        # usual case); on a page's first render, the bump generation tells whether any
        # bump at all raced the render, and then nothing is stored.
        expected: list[str] = list(stale["scopes"]) if stale is not None else []
        versions = scope_versions()
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
        parts = _parts_around_tokens(response.content, request.META.get("CSRF_COOKIE", ""))
        if parts is None:
            return response
        compressible = is_compressible(response.get("Content-Type", ""))
        if compressible:
            patch_vary_headers(response, ("Accept-Encoding",))
        entry = {
            "scopes": scopes,
            "versions": stored,
            "parts": parts,
            "compressed": PrecompressedPage.of(parts, CSRF_TOKEN_LENGTH) if compressible else None,
            "status": response.status_code,
            "reason": response.reason_phrase,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in UNKEPT_HEADERS
            ],
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
        body, headers = _answer(
            entry, request.COOKIES, request.META.get("HTTP_ACCEPT_ENCODING", "")
        )
        response = HttpResponse(body, status=entry["status"])
        for name, value in headers:
            if name == "Set-Cookie":
                response.cookies.load(value)
            else:
                response[name] = value
        return response
