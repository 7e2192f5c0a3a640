from __future__ import annotations

import logging
import sys
from typing import Literal, cast

from django.conf import settings
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.i18n import JavaScriptCatalog

from broadsheet.core.pagecache import mark_cacheable

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return JsonResponse({"status": "unavailable", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


# Only our own strings (broadsheet/locale, djangojs domain) and Django's few: not every
# installed app's (Wagtail's admin alone has hundreds).
_catalogue = JavaScriptCatalog.as_view(packages=["broadsheet.core"])
CATALOGUE_MAX_AGE = 24 * 3600


def javascript_catalogue(request: HttpRequest, language: str) -> HttpResponseBase:
    """The scripts' translations for one language, as a same-origin script (the pages'
    Content-Security-Policy allows scripts from 'self' only, never inline ones). The
    language is in the address, not taken from the reader, so a browser's cached copy
    is always the language the page asked for; the release's fingerprint in the query
    (frontend_tags.javascript_catalogue_url) makes a deploy fetch it anew."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    with translation.override(language):
        response = _catalogue(request)
    response["Cache-Control"] = f"public, max-age={CATALOGUE_MAX_AGE}"
    mark_cacheable(request, [])
    return response


@never_cache
def choose_language(request: HttpRequest, language: str) -> HttpResponseRedirect:
    """GET /language/<code>/?next=<path>: remember the reader's interface language (the
    language cookie, a year) and go back to the page they were on.

    A link, not a form: a choice of language is a preference kept in the reader's own
    browser, not a protected change of anything we store, so it needs no CSRF token; and
    a token in the footer would put one on every cached page (no Brotli for any of them,
    core.compression). The worst another site can do with it is switch a reader's
    language, which the same links switch back. `next` must be a path on this site:
    anything else goes to the front page (no open redirect)."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    back = request.GET.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = "/"
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return response


# No template and no database (either may be what failed): words from the catalogue,
# which is in memory, in the language the request was being answered in.
_EMERGENCY_PAGE = """<!doctype html>
<html lang="{language}" dir="{direction}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{title}</h1>
<p>{text}</p></main></body></html>
"""


def _emergency_page(title: str, text: str) -> str:
    return _EMERGENCY_PAGE.format(
        language=escape(translation.get_language() or settings.LANGUAGE_CODE),
        direction="rtl" if translation.get_language_bidi() else "ltr",
        title=escape(title),
        text=escape(text),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that cannot be reached (stopped, restarting, out of
    connections) answers 503 with Retry-After, as JSON under /api/ and as a short page
    elsewhere, and logs a warning; anything else a plain 500. Neither renders a template
    or touches the database (either may be what failed), and neither shows a traceback."""
    error = sys.exc_info()[1]
    outage = isinstance(error, OperationalError | InterfaceError)
    status = 503 if outage else 500
    if outage:
        logger.warning("Database unavailable: %s: %s", type(error).__name__, error)
    if request.path.startswith("/api/"):
        code, message = (
            ("unavailable", _("The database cannot be reached just now; try again shortly."))
            if outage
            else ("server_error", _("Something went wrong; the error has been logged."))
        )
        response: HttpResponse = JsonResponse(
            {"error": {"code": code, "message": message, "field": None}}, status=status
        )
    else:
        body = (
            _emergency_page(
                _("Back in a moment"),
                _(
                    "The site cannot reach its database just now. Nothing you sent was lost "
                    "if you were told it was saved; please try again in a minute."
                ),
            )
            if outage
            else _emergency_page(
                _("Something went wrong"), _("The error has been logged. Please try again.")
            )
        )
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    if outage:
        response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
