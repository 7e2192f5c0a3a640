"""API tokens: making, checking and revoking them.

A token is ``bst_`` + 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored: a token that random needs no slow hash, and a stolen database yields no usable
token. ``last_used_at`` is written at most once a minute per token, so reads through the
API do not each cost a write.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.api.models import ApiToken
from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion.identity import Actor

PREFIX = "bst_"
SCOPES = tuple(ApiToken.Scope.values)
LAST_USED_RESOLUTION = timedelta(minutes=1)


def site_key_prefix(site_id: int) -> str:
    """Every thread key of embedding site `site_id` starts with this (the embed app's
    convention, docs/embedding.md; spelled here because the API does not import it)."""
    return f"site:{site_id}:"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_create_api_token(*, actor: Actor, name: str, scopes: list[str], site: Any) -> None:
    if not actor.is_authenticated or not actor.user.is_active:
        raise NotAllowed(_("Sign in to make an API token."))
    if not name.strip():
        raise ActionError(_("Give the token a name."), field="name")
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise ActionError(_("Choose the token's scopes: read, write, moderate."), field="scopes")
    if "moderate" in scopes and not actor.can_moderate:
        raise NotAllowed(_("Only moderators can make a token that moderates."))
    if site is not None and not actor.user.is_superuser:
        raise NotAllowed(_("Only administrators can make site tokens."))


def do_create_api_token(
    *, actor: Actor, name: str, scopes: list[str], site: Any = None
) -> tuple[ApiToken, str]:
    """A new token of `actor` (and `site`, for a site token): the row and the token,
    which is never shown again."""
    check_create_api_token(actor=actor, name=name, scopes=scopes, site=site)
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        name=name.strip(),
        user=actor.user,
        site=site,
        scopes=sorted(set(scopes)),
        prefix=token[:12],
        digest=token_digest(token),
    )
    return row, token


def check_revoke_api_token(*, token: ApiToken, actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAllowed(_("Sign in to revoke a token."))
    if token.user_id != actor.user.pk and not actor.user.is_superuser:
        raise NotAllowed(_("Only the token's owner or an administrator can revoke it."))


def do_revoke_api_token(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Revoke a token at once (for good: make a new one to replace it)."""
    check_revoke_api_token(token=token, actor=actor)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    token.refresh_from_db()
    return token


def authenticate_api_token(token: str) -> ApiToken | None:
    """The active token row for `token` (owner joined), or None; notes its use."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def check_token_allows(token: ApiToken, *, scope: str, thread_key: str | None = None) -> None:
    """NotAllowed unless `token` has `scope` and, for a site token, the thread is one of
    its site's."""
    if scope not in token.scopes:
        raise NotAllowed(f"This token does not have the {scope!r} scope.")
    if (
        token.site_id is not None
        and thread_key is not None
        and not thread_key.startswith(site_key_prefix(token.site_id))
    ):
        raise NotAllowed(_("This site token only acts on its own site's discussions."))


def api_tokens_for(user: Any) -> list[ApiToken]:
    """The tokens a user manages: their own, or every token for an administrator."""
    rows = ApiToken.objects.select_related("user", "site")
    return list(rows if user.is_superuser else rows.filter(user=user))


def access_api_token(user: Any, token_id: int) -> ApiToken:
    row = ApiToken.objects.filter(pk=token_id).first()
    if row is None or (row.user_id != user.pk and not user.is_superuser):
        raise Http404("No such token")
    return row
