"""Side concerns only: forget cached navigation and related lists when pages change."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from wagtail.signals import page_published, page_unpublished

from broadsheet.articles.context_processors import NAV_CACHE_KEY


def forget_navigation(sender: Any, **kwargs: Any) -> None:
    cache.delete(NAV_CACHE_KEY)


def connect() -> None:
    page_published.connect(forget_navigation, dispatch_uid="bs-nav-published")
    page_unpublished.connect(forget_navigation, dispatch_uid="bs-nav-unpublished")
