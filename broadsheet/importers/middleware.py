"""Old WordPress query addresses (``/?p=123``, ``/?page_id=7``, ``/?cat=3``) answer
with their redirect.

Wagtail's redirect middleware looks for a redirect only when a page is not found, and
``/?p=123`` finds the home page. So requests for the site root that carry one of
WordPress's own query parameters look up the redirect the importer left for that exact
address first; every other request passes through untouched, with no query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from wagtail.contrib.redirects.models import Redirect

WORDPRESS_QUERY_KEYS = ("p", "page_id", "cat", "tag", "feed", "attachment_id")


class WordPressQueryRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_wordpress_query(request):
            old_path = Redirect.normalise_path(request.get_full_path())
            if "\x00" in old_path:  # no stored path holds one; PostgreSQL refuses it
                return self.get_response(request)
            redirect = (
                Redirect.objects.filter(old_path=old_path, site__isnull=True)
                .select_related("redirect_page")
                .first()
            )
            if redirect is not None and redirect.link:
                return HttpResponsePermanentRedirect(redirect.link)
        return self.get_response(request)

    @staticmethod
    def _is_wordpress_query(request: HttpRequest) -> bool:
        return (
            request.path == "/"
            and request.method in ("GET", "HEAD")
            and any(key in request.GET for key in WORDPRESS_QUERY_KEYS)
        )
