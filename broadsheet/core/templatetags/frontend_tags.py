"""What the page's scripts need to know, rendered into data attributes (frontend/src/js):
the same for every reader, since anonymous pages are cached and shared."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from broadsheet.core import pagecache

register = template.Library()


@register.simple_tag
def csrf_cookie_name() -> str:
    """The cookie broadsheet.js reads the CSRF token from (settings.CSRF_COOKIE_NAME)."""
    return str(settings.CSRF_COOKIE_NAME)


@register.simple_tag
def javascript_catalogue_url(language: str) -> str:
    """The scripts' translations for `language` (core.views.javascript_catalogue), with
    the release's fingerprint so a deploy's new strings are fetched at once."""
    address = reverse("javascript-catalogue", kwargs={"language": language})
    return f"{address}?v={pagecache._deployment()}"
