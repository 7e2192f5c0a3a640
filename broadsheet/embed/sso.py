"""Single sign-on for sites with their own accounts: the host signs an HS256 JWT with the
secret it shares with us, the embed trades it for an identity token.

Checked here, by hand (a dozen lines do not justify a dependency): the header says
``HS256`` (nothing else, never ``none``), the signature matches the site's secret,
``exp`` is in the future, the token lives at most BROADSHEET_EMBED_SSO_MAX_AGE, and its
``jti`` was never seen before (kept in the shared cache until the token expires, so a
captured token cannot be replayed). Claims: ``sub`` (required), ``name`` (required),
``exp``, ``jti`` (required), ``iat`` (optional).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.embed import conf
from broadsheet.embed.models import EmbeddingSite, SsoIdentity

LEEWAY = 30


class SsoRefused(NotAllowed):
    code = "sso_refused"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_jwt(token: str, secret: str, *, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid HS256 JWT signed with `secret`; SsoRefused otherwise (jti
    not yet checked: see ``claim_jti``)."""
    now = time.time() if now is None else now
    try:
        head_b64, body_b64, sig_b64 = token.split(".")
        header = json.loads(_b64(head_b64))
        claims = json.loads(_b64(body_b64))
        signature = _b64(sig_b64)
    except (ValueError, TypeError):
        raise SsoRefused("The sign-in token is malformed.") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise SsoRefused("Only HS256 sign-in tokens are accepted.")
    expected = hmac.new(secret.encode(), f"{head_b64}.{body_b64}".encode(), hashlib.sha256)
    if not secret or not hmac.compare_digest(expected.digest(), signature):
        raise SsoRefused("The sign-in token's signature does not match.")
    if not isinstance(claims, dict):
        raise SsoRefused("The sign-in token is malformed.")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + LEEWAY < now:
        raise SsoRefused("The sign-in token has expired.")
    issued = claims.get("iat", now)
    if not isinstance(issued, int | float) or exp - min(issued, now) > conf.sso_max_age():
        raise SsoRefused("The sign-in token lives too long.")
    for name in ("sub", "name", "jti"):
        if not str(claims.get(name) or "").strip():
            raise SsoRefused(f"The sign-in token has no {name!r}.")
    return claims


def claim_jti(site: EmbeddingSite, claims: dict[str, Any], *, now: float | None = None) -> None:
    """Remember the token's jti until it expires; SsoRefused when it was used before."""
    now = time.time() if now is None else now
    ttl = max(1, int(claims["exp"] - now) + LEEWAY)
    if not cache.add(f"embed-sso-jti:{site.pk}:{claims['jti']}", 1, timeout=ttl):
        raise SsoRefused("This sign-in token was used already.")


def _username(site: EmbeddingSite, subject: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]", "-", subject)[:100]
    return f"sso{site.pk}-{slug}"


def check_sign_in_with_sso(*, site: EmbeddingSite, token: str) -> dict[str, Any]:
    if not site.sso_secret:
        raise NotAllowed("This site has no single sign-on.")
    if not token:
        raise ActionError("Give the site's sign-in token.", field="token")
    claims = verify_jwt(token, site.sso_secret)
    claim_jti(site, claims)
    return claims


def do_sign_in_with_sso(*, site: EmbeddingSite, token: str) -> Any:
    """The account of the site's user named by a valid, unused JWT: made on first sign-in
    (no password, no e-mail: it cannot be taken over by an address), its name following
    the site's."""
    claims = check_sign_in_with_sso(site=site, token=token)
    subject, name = str(claims["sub"]).strip()[:200], str(claims["name"]).strip()[:150]
    identity = SsoIdentity.objects.select_related("user").filter(site=site, subject=subject).first()
    if identity is not None:
        user = identity.user
        if user.first_name != name:
            get_user_model().objects.filter(pk=user.pk).update(first_name=name, last_name="")
            user.first_name, user.last_name = name, ""
        return user
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=_username(site, subject), first_name=name
            )
            SsoIdentity.objects.create(site=site, subject=subject, user=user)
    except IntegrityError:
        user = SsoIdentity.objects.select_related("user").get(site=site, subject=subject).user
    if not user.is_active:
        raise NotAllowed("This account is switched off.")
    return user
