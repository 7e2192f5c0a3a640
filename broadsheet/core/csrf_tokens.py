"""CSRF tokens in Django's format, made with one os.urandom call (a named room;
docs/decisions/page-cache-csrf.md).

Django draws each character of a new secret and of each token's mask with
secrets.choice: a system call per character, and a page that nobody has visited before
asks for a secret and a token (and Django masks afresh on every get_token call). That was
most of a page-cache hit's time, and a noticeable share of a rendered page's.

Contract:

- `masked_csrf_token(secret)` is what django.middleware.csrf.get_token returns for
  `secret`: a fresh, uniformly drawn mask, then the secret shifted by it. Django's
  CsrfViewMiddleware accepts it (tested against the middleware itself).
- `request_csrf_token(request)` is get_token(request), with the same effects on the
  request (the secret read from the middleware's CSRF_COOKIE, or a new one made and the
  cookie marked to be set, exactly as Django's get_token does), and one masked token per
  request and secret: every form of a page carries the same token, as Django's own
  context processor gives every `{% csrf_token %}` of one render. A secret rotated during
  the request (signing in) gets a token of its own.
- `csrf` is the template context processor that puts that token in every template's
  context as `csrf_token` (in place of Django's built-in one, which draws its own).
- Used by the page cache's hits (core/pagecache.py) too, which run before Django.
"""

from __future__ import annotations

import operator
import os
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.functional import SimpleLazyObject

_CSRF_CHARS = CSRF_ALLOWED_CHARS
# Random bytes at or above this (the largest multiple of 62 under 256) are dropped, so
# every character stays equally likely; the rest map to a character by bytes.translate.
_UNBIASED_BELOW = 256 - 256 % len(_CSRF_CHARS)
_BYTE_TO_CHAR = "".join(_CSRF_CHARS[b % len(_CSRF_CHARS)] for b in range(256)).encode()
_BIASED_BYTES = bytes(range(_UNBIASED_BELOW, 256))
# Masking shifts each secret character by its mask character (Django's _mask_cipher_secret):
# every pair looked up once, so a token is made by C loops (map, join) rather than Python's.
_SHIFTED = {
    secret_char + mask_char: _CSRF_CHARS[(s + m) % len(_CSRF_CHARS)]
    for s, secret_char in enumerate(_CSRF_CHARS)
    for m, mask_char in enumerate(_CSRF_CHARS)
}
# Where a request keeps its masked token, with the secret it masks.
_MEMO = "broadsheet.csrf_token"


def random_csrf_chars() -> str:
    """A new secret or mask: CSRF_SECRET_LENGTH characters, each equally likely."""
    picked = b""
    while len(picked) < CSRF_SECRET_LENGTH:
        picked += os.urandom(40).translate(_BYTE_TO_CHAR, _BIASED_BYTES)
    return picked[:CSRF_SECRET_LENGTH].decode("ascii")


def masked_csrf_token(secret: str) -> str:
    """What django.middleware.csrf.get_token returns for `secret`: a fresh mask, then the
    secret shifted by it."""
    mask = random_csrf_chars()
    return mask + "".join(map(_SHIFTED.__getitem__, map(operator.add, secret, mask)))


def request_csrf_token(request: HttpRequest) -> str:
    """Django's get_token(request), once per request and secret (see the contract)."""
    meta = request.META
    if "CSRF_COOKIE" not in meta:
        # Django's _add_new_csrf_cookie: the middleware sets the cookie on the answer.
        meta["CSRF_COOKIE"] = random_csrf_chars()
    secret: str = meta["CSRF_COOKIE"]
    # As get_token: the cookie is sent again, which renews its expiry.
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    memo: tuple[str, str] | None = meta.get(_MEMO)
    if memo is not None and memo[0] == secret:
        return memo[1]
    token = masked_csrf_token(secret)
    meta[_MEMO] = (secret, token)
    return token


def csrf(request: HttpRequest) -> dict[str, Any]:
    """Template context: `csrf_token`, made when a template first shows it."""
    return {"csrf_token": SimpleLazyObject(lambda: request_csrf_token(request))}
