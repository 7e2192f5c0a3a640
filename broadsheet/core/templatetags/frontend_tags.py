"""What the page's scripts need to know, rendered into data attributes (frontend/src/js):
the same for every reader, since anonymous pages are cached and shared."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def csrf_cookie_name() -> str:
    """The cookie broadsheet.js reads the CSRF token from (settings.CSRF_COOKIE_NAME)."""
    return str(settings.CSRF_COOKIE_NAME)
