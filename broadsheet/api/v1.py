"""Broadsheet's REST API, version 1 (OpenAPI at /api/v1/openapi.json, docs in docs/api.md).

Every 4xx answer has the same body: {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from broadsheet.api.comments import router as comments_router
from broadsheet.api.moderation import router as moderation_router
from broadsheet.api.security import AUTH
from broadsheet.api.sites import router as sites_router
from broadsheet.api.subscriptions import router as subscriptions_router
from broadsheet.api.threads import router as threads_router
from broadsheet.core.errors import ActionError

api = NinjaAPI(
    title="Broadsheet API",
    version="1",
    description="Read and write reader discussions. Cookie sessions must send the CSRF token.",
    urls_namespace="api-v1",
    auth=AUTH,
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "field": field}}, status=status
    )


@api.exception_handler(ActionError)
def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    # loc is (source, [argument name,] field...): ("body", "payload", "body"), ("query", "page").
    location = [str(part) for part in first.get("loc", ())[1:]]
    if location and location[0] == "payload":
        location = location[1:]
    field = location[0] if location else None
    # Our own validators (core.text) raise ValueError, which pydantic prefixes.
    message = str(first.get("msg", "Invalid request.")).removeprefix("Value error, ")
    return error_response(request, 422, "invalid", message, field)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, exc.status_code, "unauthenticated", exc.message)


# The codes django-ninja's own HttpErrors answer with (docs/api.md lists them all). Its 400
# is "Cannot parse request body": a body that is not JSON, or not the declared encoding.
HTTP_ERROR_CODES = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = HTTP_ERROR_CODES.get(exc.status_code, "invalid")
    return error_response(request, exc.status_code, code, exc.message)


def not_found(request: HttpRequest) -> HttpResponse:
    """Addresses under /api/v1/ that match no operation (see api/urls.py)."""
    return error_response(request, 404, "not_found", "No such address in the API.")


class CsrfOut(Schema):
    csrf_token: str


@api.get("/csrf", response=CsrfOut, tags=["session"], summary="Get a CSRF token")
def csrf(request: HttpRequest) -> dict[str, str]:
    """Sets the csrftoken cookie and returns a token for the X-CSRFToken header that every
    write (POST, PATCH, DELETE) must send."""
    return {"csrf_token": get_token(request)}


api.add_router("", comments_router)
api.add_router("", moderation_router)
api.add_router("", threads_router)
api.add_router("", subscriptions_router)
api.add_router("", sites_router)
