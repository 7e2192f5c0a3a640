"""Who is acting in a discussion: an account, a guest known by the reader cookie, or both
unknown. Actions take an ``Actor`` instead of a request, so the API, views, demo loader
and tests call them the same way."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.http import HttpRequest

from broadsheet.core import clients
from broadsheet.core.hashing import Purpose, keyed_hash
from broadsheet.discussion.people import public_name

MODERATE_PERMISSION = "discussion.moderate_comment"

# Embedded discussions on other sites cannot count on our cookies (browsers block them
# in third-party contexts), so the embed sends who the reader is in this header: a
# signed token it keeps in memory or the host page's storage. A custom header cannot be
# sent cross-origin without a CORS preflight, which only embedding sites' origins pass,
# so a request carrying it needs no CSRF token; and with it, cookies are ignored.
IDENTITY_HEADER = "X-Broadsheet-Reader"
_IDENTITY_META = "HTTP_X_BROADSHEET_READER"
_TOKEN_SALT = "broadsheet.discussion.identity-token"  # noqa: S105 (a salt, not a secret)


def reader_hash(reader_id: str) -> str:
    """A keyed hash of a reader cookie id, stored on guest comments to recognise their
    author later without keeping the cookie value itself."""
    return keyed_hash(Purpose.READER, reader_id)


@dataclass(frozen=True)
class Actor:
    """The person behind a request: ``user`` when signed in, ``reader_id`` from the signed
    reader cookie (guests), and the keyed hash of their IP for rate limits. ``system``
    marks the site itself acting on a schedule (auto-close, automatic holds): it may
    moderate, and the audit log shows no person."""

    user: Any = None
    reader_id: str | None = None
    ip_hash: str = ""
    system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and bool(self.user.is_authenticated)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.is_authenticated else None

    @property
    def voter_key(self) -> str | None:
        """u:<user id> or r:<reader id>, as broadsheet.core.clients.voter_key spells it."""
        if self.is_authenticated:
            return f"u:{self.user.pk}"
        if self.reader_id:
            return f"r:{self.reader_id}"
        return None

    @cached_property
    def reader_hash(self) -> str:
        return reader_hash(self.reader_id) if self.reader_id else ""

    @cached_property
    def can_moderate(self) -> bool:
        if self.system:
            return True
        if not self.is_authenticated or not self.user.is_active:
            return False
        return bool(self.user.is_staff or self.user.has_perm(MODERATE_PERMISSION))

    @property
    def name(self) -> str:
        """The public name other readers see ("Commenting as"), as pages show it."""
        return public_name(self.user) if self.is_authenticated else ""

    def wrote(self, comment: Any) -> bool:
        """True when this actor is the comment's author (account, or guest by cookie)."""
        if comment.author_id is not None:
            return self.is_authenticated and comment.author_id == self.user.pk
        if not comment.guest_reader_id or not self.reader_id:
            return False
        return hmac.compare_digest(comment.guest_reader_id, self.reader_hash)


def identity_token(*, reader_id: str, user_id: int | None = None, max_age: int) -> str:
    """A signed token naming a guest reader (and, after signing in, an account) for the
    IDENTITY_HEADER; honoured for `max_age` seconds."""
    data: dict[str, Any] = {"r": reader_id, "x": int(time.time()) + max_age}
    if user_id is not None:
        data["u"] = user_id
    return signing.dumps(data, salt=_TOKEN_SALT, compress=True)


def uses_identity_token(request: HttpRequest) -> bool:
    return bool(request.META.get(_IDENTITY_META))


def _actor_from_token(request: HttpRequest) -> Actor:
    ip = clients.ip_hash(clients.client_ip(request))
    try:
        data = signing.loads(request.META[_IDENTITY_META], salt=_TOKEN_SALT)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or int(data.get("x", 0)) < time.time():
        request.user = AnonymousUser()
        return Actor(ip_hash=ip)
    user = None
    if isinstance(data.get("u"), int):
        user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    reader = str(data.get("r") or "") or None
    # So that clients.reader_id finds it and no reader cookie is minted.
    request._broadsheet_reader_id = reader  # type: ignore[attr-defined]
    # The page rendered for this request must not show a session's account either.
    request.user = user if user is not None else AnonymousUser()
    return Actor(user=user, reader_id=reader, ip_hash=ip)


def actor_from_request(request: HttpRequest, *, mint_reader: bool = False) -> Actor:
    """The actor of a request. With `mint_reader`, a guest without a reader cookie gets a
    new id (the view must then pass its response through ``clients.remember_reader``).
    A request with an IDENTITY_HEADER is that token's actor alone (cookies ignored)."""
    if uses_identity_token(request):
        cached: Actor | None = request.__dict__.get("_broadsheet_token_actor")
        if cached is None:
            cached = request.__dict__["_broadsheet_token_actor"] = _actor_from_token(request)
        return cached
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    reader: str | None
    if mint_reader and not authenticated:
        reader = clients.ensure_reader_id(request)
    else:
        reader = clients.reader_id(request)
    return Actor(
        user=user if authenticated else None,
        reader_id=reader,
        ip_hash=clients.ip_hash(clients.client_ip(request)),
    )


SYSTEM = Actor(system=True)
