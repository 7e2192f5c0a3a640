from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

NAV_CACHE_KEY = "nav:sections"


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The sections bar, cached: it changes only when editors publish a section."""
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        from broadsheet.articles.selectors import sections as live_sections

        sections = [{"title": s.title, "url": s.url} for s in live_sections()]
        cache.set(NAV_CACHE_KEY, sections, 300)
    return {"nav_sections": sections}
