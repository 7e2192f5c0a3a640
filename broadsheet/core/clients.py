"""Who is asking: the client IP (trusting X-Forwarded-For only from configured proxies)
and the anonymous reader id kept in a signed cookie."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from broadsheet.core.hashing import Purpose, keyed_hash

READER_COOKIE = "bs_reader"
READER_COOKIE_SALT = "broadsheet.reader"
READER_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
# A guest's name and e-mail for their next comment, when they asked for it (discussion).
GUEST_COOKIE = "bs_guest"
# An address this browser proved it reads by confirming a subscription (notifications).
SUBSCRIBER_COOKIE = "bs_subscriber"
# Cookies that make the page the reader's own: a request carrying one is never answered
# from the anonymous page cache, and its page is never stored there (core.pagecache).
PERSONAL_COOKIES = (READER_COOKIE, GUEST_COOKIE, SUBSCRIBER_COOKIE)


def set_personal_cookie(response: HttpResponse, name: str, value: str) -> None:
    """Set one of PERSONAL_COOKIES the way the reader cookie is set (a year, HttpOnly,
    SameSite=Lax, Secure where the session cookie is); `value` is signed by the caller."""
    response.set_cookie(
        name,
        value,
        max_age=READER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@lru_cache(maxsize=1)
def _trusted_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(item, strict=False) for item in settings.BROADSHEET_TRUSTED_PROXIES
    )


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks())


def client_ip(request: HttpRequest) -> str:
    """The address of the reader, not of our proxy.

    X-Forwarded-For is honoured only when the direct peer is a configured trusted
    proxy, walking the chain from the right and stopping at the first untrusted hop;
    anyone can send the header, so believing it blindly lets a spammer pick any IP.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104  # nosec B104
    if not _is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP: enough to spot floods and repeat voters, useless if leaked."""
    return keyed_hash(Purpose.IP, ip)


def reader_id(request: HttpRequest) -> str | None:
    """The anonymous reader id from the signed cookie, or None when absent or forged."""
    cached = getattr(request, "_broadsheet_reader_id", None)
    if cached:
        return str(cached)
    value = request.get_signed_cookie(
        READER_COOKIE, default=None, salt=READER_COOKIE_SALT, max_age=READER_COOKIE_MAX_AGE
    )
    if value is None:
        return None
    return str(value)


def ensure_reader_id(request: HttpRequest) -> str:
    """The reader id, minting a new one (set on the response by `remember_reader`)."""
    existing = reader_id(request)
    if existing:
        return existing
    minted = secrets.token_urlsafe(16)
    request._broadsheet_reader_id = minted  # type: ignore[attr-defined]
    request._broadsheet_reader_new = True  # type: ignore[attr-defined]
    return minted


def remember_reader(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if getattr(request, "_broadsheet_reader_new", False):
        response.set_signed_cookie(
            READER_COOKIE,
            request._broadsheet_reader_id,  # type: ignore[attr-defined]
            salt=READER_COOKIE_SALT,
            max_age=READER_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def voter_key(request: HttpRequest) -> str:
    """One key per voter: the account when signed in, else the signed-cookie reader."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    return f"r:{ensure_reader_id(request)}"


__all__ = [
    "GUEST_COOKIE",
    "PERSONAL_COOKIES",
    "SUBSCRIBER_COOKIE",
    "client_ip",
    "ensure_reader_id",
    "ip_hash",
    "reader_id",
    "remember_reader",
    "set_personal_cookie",
    "signing",
    "voter_key",
]
