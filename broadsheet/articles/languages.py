"""The publication's interface language, and the reader's where the publication allows.

- BROADSHEET_LANGUAGE (environment) is the publication's language; its settings in the
  admin (PublicationSettings.language) may choose another without a restart.
- Where PublicationSettings.readers_choose_language is on (the default), a reader's
  language cookie (set by the language switcher's links, core.views.choose_language) and then
  their browser's Accept-Language win, among the languages shipped (settings.LANGUAGES).
- Outside a request (e-mails sent by tasks, digests), the publication's language.

The page cache keys pages by the language the reader asked for
(broadsheet.core.languages) and records the `site` scope, which every change of the
publication's settings bumps (articles.signals): so a cached page always matches both.
docs/languages.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from broadsheet.articles.models import PublicationSettings
from broadsheet.core import translations
from broadsheet.core.languages import requested_language
from broadsheet.core.versions import versions_for_request


@dataclass(frozen=True)
class LanguagePolicy:
    """What the publication's settings say: its language ("" for BROADSHEET_LANGUAGE)
    and whether readers may choose theirs."""

    language: str
    readers_choose: bool

    @property
    def publication_language(self) -> str:
        return self.language or settings.BROADSHEET_LANGUAGE


class _Remembered:
    """The policy, read from the database once per version of the `site` scope.

    Every request needs it before any view runs, and the settings change rarely: a read
    of the scope version costs microseconds (shared memory) where the settings row is a
    query. The version is read before the row, so a change that lands in between leaves
    the remembered policy under an old version, read again at the next request. (A test
    that pins an endpoint's queries calls it once first: the first request after a
    settings change pays one query more.)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[str, ...] | None = None
        self._policy: LanguagePolicy | None = None

    def __call__(self, request: HttpRequest | None = None) -> LanguagePolicy:
        version = versions_for_request(request, ["site"])
        with self._lock:
            if self._policy is not None and version == self._version:
                return self._policy
        # With the request: the page's templates then read the same row from its cache.
        publication = PublicationSettings.load(request_or_site=request)
        policy = LanguagePolicy(publication.language, publication.readers_choose_language)
        with self._lock:
            self._version, self._policy = version, policy
        return policy


language_policy = _Remembered()


def publication_language() -> str:
    """The language of whatever has no reader to ask: e-mails, digests, feeds."""
    return language_policy().publication_language


def language_for_request(request: HttpRequest) -> tuple[str, bool]:
    """(the interface language for this request, whether the reader's choice counted)."""
    policy = language_policy(request)
    if policy.readers_choose:
        asked = requested_language(
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
            request.META.get("HTTP_ACCEPT_LANGUAGE"),
        )
        if asked:
            return asked, True
    return policy.publication_language, policy.readers_choose


class PublicationLocaleMiddleware:
    """Django's LocaleMiddleware, with the publication's language in place of
    LANGUAGE_CODE and the reader's choice only where the publication allows it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language, readers_choose = language_for_request(request)
        # Django's activate, with the language's catalogues answered from one flat
        # look-up (core/translations.py).
        translations.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if readers_choose:
            # The same address answers in the language asked for (header or cookie).
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


def interface_language(request: HttpRequest) -> dict[str, Any]:
    """Template context: the language switcher's choices (none where the publication
    keeps to its own language). The page's language and direction come from Django's
    i18n context processor (LANGUAGE_CODE, LANGUAGE_BIDI)."""
    code = translation.get_language() or settings.BROADSHEET_LANGUAGE
    policy = language_policy(request)
    return {
        "language_choices": (
            [
                {"code": other, "name": name, "current": other == code}
                for other, name in settings.LANGUAGES
            ]
            if policy.readers_choose
            else []
        ),
    }
