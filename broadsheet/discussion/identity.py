"""Who is acting in a discussion: an account, a guest known by the reader cookie, or both
unknown. Actions take an ``Actor`` instead of a request, so the API, views, demo loader
and tests call them the same way."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from broadsheet.core import clients
from broadsheet.core.hashing import Purpose, keyed_hash
from broadsheet.discussion.people import public_name

MODERATE_PERMISSION = "discussion.moderate_comment"


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


def actor_from_request(request: HttpRequest, *, mint_reader: bool = False) -> Actor:
    """The actor of a request. With `mint_reader`, a guest without a reader cookie gets a
    new id (the view must then pass its response through ``clients.remember_reader``)."""
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
