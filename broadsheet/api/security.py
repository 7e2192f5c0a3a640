"""Who calls the API, and the checks every write passes.

Three ways in, tried in this order (each is an OpenAPI security scheme, docs/api.md):
an API token (``Authorization: Bearer bst_…``: personal or site tokens with scopes), the
session cookie of a signed-in reader, or nobody in particular (a guest, known by the
reader cookie or an embed's identity token). An invalid token answers 401 rather than
falling back to a guest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from broadsheet.api.models import ApiToken
from broadsheet.api.tokens import authenticate_api_token, check_token_allows, site_key_prefix
from broadsheet.core import clients
from broadsheet.core.errors import NotAllowed
from broadsheet.discussion.identity import Actor, actor_from_request, uses_identity_token
from broadsheet.discussion.models import Comment, Thread


class CsrfFailed(NotAllowed):
    code = "csrf_failed"


class ApiTokenAuth(HttpBearer):
    """Authorization: Bearer bst_… (an API token; see docs/api.md for scopes)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        row = authenticate_api_token(token)
        if row is None:
            raise AuthenticationError(message="This API token is unknown or revoked.")
        request.user = row.user
        return row


class SessionAuth(APIKeyCookie):
    """The session cookie of a signed-in reader; writes must also send X-CSRFToken."""

    param_name = "sessionid"

    def __init__(self) -> None:
        # The CSRF check is the writer's (it covers guests too), not only this scheme's.
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


def guest(request: HttpRequest) -> str:
    """Anyone else: reads, and guest posting where the host allows it."""
    return "guest"


AUTH: list[Callable[..., Any]] = [ApiTokenAuth(), SessionAuth(), guest]

CSRF_PASSED = "csrf-passed"
IDENTITY_TOKEN = "identity-token"  # noqa: S105 - an auth result label, not a secret


def csrf_checked(request: HttpRequest) -> str:
    """The last `auth=` of every write operation: Django's CSRF check, made before
    django-ninja reads the body, so a forged request is answered 403 whatever it carries
    (never a 422 that tells the forger what to fix).

    Every cookie-based write is checked, with or without a session: the reader cookie and
    even the reader's IP (rate limits) are ambient credentials another site could ride on.
    """
    if check_csrf(request) is not None:
        raise CsrfFailed(
            "The CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header."
        )
    return CSRF_PASSED


def identity_token(request: HttpRequest) -> str | None:
    """An embed's identity token (discussion.identity.IDENTITY_HEADER) is not ambient: a
    request carrying one needs no CSRF token."""
    return IDENTITY_TOKEN if uses_identity_token(request) else None


# Writes: an API token or an embed's identity token, else the CSRF check (before the body).
WRITE_AUTH: list[Callable[..., Any]] = [ApiTokenAuth(), identity_token, csrf_checked]


def api_token(request: HttpRequest) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def check_token(request: HttpRequest, *, scope: str, of: Thread | Comment | None = None) -> None:
    """With an API token, NotAllowed unless it has `scope` and covers the thread (of a
    comment). Without a token, nothing is read."""
    token = api_token(request)
    if token is not None:
        key = None if of is None else of.key if isinstance(of, Thread) else of.thread.key
        check_token_allows(token, scope=scope, thread_key=key)


def writer(request: HttpRequest, *, scope: str = "write") -> Actor:
    """The actor of a write request: the API token's account (with `scope`), the embed's
    identity token's actor, or the reader, after the CSRF check (made once, by
    `csrf_checked` as the operation's auth, or here)."""
    token = api_token(request)
    if token is not None:
        check_token_allows(token, scope=scope)
        return Actor(user=token.user, ip_hash=clients.ip_hash(clients.client_ip(request)))
    if uses_identity_token(request):
        return actor_from_request(request)
    if getattr(request, "auth", None) != CSRF_PASSED:
        csrf_checked(request)
    return actor_from_request(request, mint_reader=True)


def scoped_key_prefix(request: HttpRequest, asked: str, *, scope: str) -> str:
    """The thread-key prefix a listing may cover: what was asked, narrowed to a site
    token's own site (asking for another site's answers 403). Checks the token's scope."""
    token = api_token(request)
    if token is None:
        return asked
    check_token_allows(token, scope=scope)
    if token.site_id is None:
        return asked
    own = site_key_prefix(token.site_id)
    if asked.startswith(own):
        return asked
    if own.startswith(asked):  # "" or "site:": everything the token may see
        return own
    raise NotAllowed("This site token only acts on its own site's discussions.")


def moderator(request: HttpRequest) -> Actor:
    """The moderator reading the queue: an API token's owner (with the "moderate" scope)
    or the signed-in reader; NotAllowed for anyone else."""
    token = api_token(request)
    if token is not None:
        check_token_allows(token, scope="moderate")
        actor = Actor(user=token.user, ip_hash=clients.ip_hash(clients.client_ip(request)))
    else:
        actor = actor_from_request(request)
    if not actor.can_moderate:
        raise NotAllowed("Only moderators see the moderation queue.")
    return actor
