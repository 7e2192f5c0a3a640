"""Which interface language a reader asked for, from the raw request.

One function for Django's request path (the publication's locale middleware) and for
the page cache, which answers hits before Django runs: the cache key carries the
language asked for, so a page rendered in one language is never served to a reader
who asked for another (docs/languages.md).

What the reader gets also depends on the publication (its language, and whether readers
may choose): that is in the `site` scope every cached page records, not in the key.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import language_code_re, parse_accept_lang_header

# The most distinct (cookie, header) pairs remembered: browsers send a handful of forms.
_REMEMBERED = 512


def requested_language(cookie: str | None, accept_language: str | None) -> str:
    """The supported language code the reader asked for ("" when none): the language
    cookie first (set by the language switcher), then Accept-Language in order."""
    return _requested(cookie or "", accept_language or "")


@lru_cache(maxsize=_REMEMBERED)
def _requested(cookie: str, accept_language: str) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    if cookie in supported:
        return cookie
    for code, _quality in parse_accept_lang_header(accept_language):
        if code == "*":
            break
        if not language_code_re.search(code):
            continue
        try:
            return str(get_supported_language_variant(code))
        except LookupError:
            continue
    return ""


def publication_language() -> str:
    """The publication's own language, for what has no reader to ask (e-mails sent by
    tasks, digests): the callable BROADSHEET_PUBLICATION_LANGUAGE names (the articles'
    publication settings) — a dotted path, since core imports no app."""
    found: str = import_string(settings.BROADSHEET_PUBLICATION_LANGUAGE)()
    return found
