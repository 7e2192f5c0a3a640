"""Serving a Wagtail page without Wagtail's per-request look-ups: one room, one contract.

Wagtail answers /world/some-story/ by finding the request's Site (a query), then walking
the tree from the site's root: for each path segment the child by slug (a query) and its
`.specific` row (another); its serve hook then reads the view restrictions of the page
and its ancestors (two more), and the page reads the site root paths (a shared-cache
read) and the publication settings row (a query). Ten round trips before the article's
own code runs, for answers that change only when an editor publishes, moves or deletes a
page, or edits a Site, a view restriction or the settings (bench/analysis.md has the
profile).

Each process remembers those answers here, under the version of the `site` scope:

- the Site of a (host, port), as Wagtail's own `Site.find_for_request` chose it;
- the site root paths (`Site.get_site_root_paths`);
- the publication settings row;
- per site and path, the page Wagtail's own routing found, as it was read then, and the
  view restrictions on it and its ancestors. A later request for the path costs no query
  before the page's own code.

The contract:

- **Invalidation.** Publishing, unpublishing, moving, deleting or renaming a page, and
  saving or deleting a Site, a view restriction, the publication settings, an author or
  an image bump `site` (articles/signals.py); the first request under a new version
  starts from nothing. Tested for each. Nothing is kept longer than the anonymous page
  cache keeps a page (BROADSHEET_PAGE_CACHE_SECONDS).
- **The same freshness as the page cache**, which stores every page under `site` too: a
  change to a page's row that bumped nothing (a raw UPDATE) would be served stale by both
  until the next bump or the end of that time, and by neither after.
- **Only Wagtail's plain routing is remembered**: when no page model of the project
  overrides `Page.route` (routable pages take arguments from the path), Wagtail's
  internationalisation is off (a route then depends on the active language), and the
  route found carries no arguments. Otherwise every request is routed by Wagtail.
- **Nothing shared is handed out.** Each request gets its own copy of the Site, the root
  paths, the settings row and the page (Django copies a model's state and its cache of
  related objects with it; the page's parsed body is shared, read-only).
- **Everything after routing is Wagtail's own serve view** (`wagtail.views.serve`): its
  hooks (request methods, view restrictions, password and login pages) run unchanged,
  the restrictions read from the remembered list (PublicationPage.get_view_restrictions).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.url_routing import RouteResult

from broadsheet.articles.models import REMEMBERED_VIEW_RESTRICTIONS, PublicationSettings
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.core.versions import scope_versions

# Paths remembered per process, bounded in bytes (a page with its parsed body is tens of
# KB): the pages being read now.
ROUTES_BUDGET = setting_bytes("BROADSHEET_REMEMBERED_ROUTES_BYTES", 8 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class KnownRoute:
    """Where Wagtail's routing led for one path: the page as it was read then (never
    handed out itself: each request gets a copy) and the view restrictions on it and
    its ancestors."""

    page: Page
    view_restrictions: list[PageViewRestriction]


class _Remembered:
    """What one process knows under one version of the `site` scope."""

    def __init__(self, version: tuple[str, ...]) -> None:
        self.version = version
        self.since = time.monotonic()
        self.sites: dict[tuple[str, str], Site | None] = {}
        self.site_root_paths: list[Any] | None = None
        self.publication: PublicationSettings | None = None
        self.routes: BoundedLRU[Hashable, KnownRoute] = BoundedLRU(ROUTES_BUDGET)


class PageServing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remembered: _Remembered | None = None

    def remembered(self) -> _Remembered:
        """This process's answers for the current `site` version (a new, empty set when
        it moved on). The version is read before anything is looked up, so an answer
        looked up while a bump lands is kept under the old version only."""
        version = scope_versions().read(["site"])
        with self._lock:
            known = self._remembered
            if (
                known is None
                or known.version != version
                or time.monotonic() - known.since > settings.BROADSHEET_PAGE_CACHE_SECONDS
            ):
                known = self._remembered = _Remembered(version)
            return known

    def clear(self) -> None:
        with self._lock:
            self._remembered = None

    def prepare(self, request: HttpRequest) -> _Remembered:
        """Give the request the Site, the site root paths and the settings row Wagtail
        would look up for it, so it looks none of them up again."""
        known = self.remembered()
        # The raw host, as Wagtail reads it: ALLOWED_HOSTS is Django's business.
        raw_host = request._get_raw_host()  # type: ignore[attr-defined]
        host = (split_domain_port(raw_host)[0], request.get_port())
        if host not in known.sites:
            # Wagtail's own choice among the Sites (by host, port and the default).
            known.sites[host] = Site._find_for_request(request)  # type: ignore[attr-defined]
        site = known.sites[host]
        request._wagtail_site = copy.copy(site)  # type: ignore[attr-defined]
        if known.site_root_paths is None:
            known.site_root_paths = Site.get_site_root_paths()
        request._wagtail_cached_site_root_paths = list(known.site_root_paths)  # type: ignore[attr-defined]
        if known.publication is None:
            known.publication = PublicationSettings.load()
        setattr(request, PublicationSettings.get_cache_attr_name(), copy.copy(known.publication))
        return known

    def route(self, request: HttpRequest, path: str) -> RouteResult | None:
        """The page of `path` (with Wagtail's route arguments), or None for a 404:
        from the remembered route when there is one, else Wagtail's routing."""
        known = self.prepare(request)
        site: Site | None = request._wagtail_site  # type: ignore[attr-defined]
        if site is None or not _plain_routing():
            return Page.route_for_request(request, path)
        key = (site.pk, "/".join(component for component in path.split("/") if component))
        route = known.routes.get(key)
        if route is not None:
            result = RouteResult(_handed_out(route))
            request._wagtail_route_for_request = result  # type: ignore[attr-defined]
            return result
        result = Page.route_for_request(request, path)
        if result is not None and not result.args and not result.kwargs:
            page = result.page
            kept = copy.copy(page)
            # Its parent as routing left it would be one instance shared by every request.
            kept.__dict__.pop("_cached_parent_obj", None)
            known.routes.put(key, KnownRoute(kept, list(page.get_view_restrictions())))
        return result


def _handed_out(route: KnownRoute) -> Page:
    """A request's own copy of a remembered page (its own attributes and related-object
    cache: Django copies a model's state with it), carrying the remembered restrictions
    for Wagtail's view-restriction hook (PublicationPage.get_view_restrictions)."""
    page = copy.copy(route.page)
    page.__dict__[REMEMBERED_VIEW_RESTRICTIONS] = route.view_restrictions
    return page


@cache
def _plain_routing() -> bool:
    """True when Wagtail routes every page type of the project by slugs alone."""
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return False
    return all(model.route is Page.route for model in get_page_models())


page_serving = PageServing()


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's serve view (its hooks included), with the request's route, Site and
    settings from `page_serving`."""
    page_serving.route(request, path)
    return wagtail_views.serve(request, path)  # type: ignore[no-any-return]
