"""CORS for embedding sites' pages: the embed's own endpoints, the live stream and the
REST API.

Only origins that an active embedding site allows get an Access-Control-Allow-Origin
answer; credentials (cookies) are never allowed cross-origin (the embed names its reader
with discussion.identity.IDENTITY_HEADER instead), so a page of an allowed origin cannot
ride on a reader's session either.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from broadsheet.discussion.identity import IDENTITY_HEADER
from broadsheet.embed import origins
from broadsheet.embed.selectors import active_site_by_key, origin_is_embedding

# /live/: the embed listens to its thread's stream with EventSource, without credentials,
# so it hears the public channel only (realtime picks channels from cookies alone).
CORS_PREFIXES = ("/embed/", "/live/", "/api/v1/")
SITE_PREFIXES = ("/embed/", "/live/")
ALLOWED_HEADERS = f"Content-Type, {IDENTITY_HEADER}, If-None-Match"
ALLOWED_METHODS = "GET, POST, PATCH, DELETE"
PREFLIGHT_MAX_AGE = "600"


def allowed_origin(request: HttpRequest) -> str | None:
    """The request's Origin when it may read the answer: the `site` parameter's origins
    on /embed/ and /live/, any active site's on the API."""
    origin = request.headers.get("Origin")
    if not origin or not request.path.startswith(CORS_PREFIXES):
        return None
    if origin == f"{request.scheme}://{request.get_host()}":
        return None  # our own pages: same-origin, nothing to allow (and no query)
    if request.path.startswith(SITE_PREFIXES):
        site = active_site_by_key(request.GET.get("site", ""))
        return origin if site and origins.origin_allowed(site.rules, origin) else None
    return origin if origin_is_embedding(origin) else None


class EmbedCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(CORS_PREFIXES) or "Origin" not in request.headers:
            return self.get_response(request)
        origin = allowed_origin(request)
        preflight = request.method == "OPTIONS" and request.headers.get(
            "Access-Control-Request-Method"
        )
        if preflight:
            response = HttpResponse(status=204 if origin else 403)
            if origin:
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = "ETag"
        patch_vary_headers(response, ["Origin"])
        return response
