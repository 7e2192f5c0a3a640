"""A guest's name and e-mail, kept in their own browser for their next comment when they
tick "Remember me" (unticked by default: consent to a cookie must be given, not presumed).

A cookie rather than localStorage: the server fills the form in, so it works without
JavaScript, and the form never flashes empty first. The cookie is HttpOnly and signed;
it is one of core.clients.PERSONAL_COOKIES, so a page rendered for it is never served
from nor stored in the anonymous page cache. Embedded discussions, which identify a guest
by a header token and ignore cookies, do not read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest, HttpResponse

from broadsheet.core.clients import GUEST_COOKIE, READER_COOKIE_MAX_AGE, set_personal_cookie
from broadsheet.discussion.identity import uses_identity_token

_SALT = "broadsheet.discussion.guest"


@dataclass(frozen=True)
class RememberedGuest:
    name: str
    email: str


def remembered_guest(request: HttpRequest) -> RememberedGuest | None:
    """The name and e-mail this browser asked us to remember, or None."""
    raw = request.COOKIES.get(GUEST_COOKIE)
    if not raw or uses_identity_token(request):
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=READER_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    name, email = data.get("n"), data.get("e")
    if not isinstance(name, str) or not isinstance(email, str):
        return None
    return RememberedGuest(name=name, email=email)


def remember_guest(response: HttpResponse, *, name: str, email: str) -> None:
    value = signing.dumps({"n": name, "e": email}, salt=_SALT, compress=True)
    set_personal_cookie(response, GUEST_COOKIE, value)


def forget_guest(response: HttpResponse) -> None:
    response.delete_cookie(GUEST_COOKIE, samesite="Lax")


def keep_or_forget_guest(
    request: HttpRequest, response: HttpResponse, *, name: str, email: str, remember: bool
) -> HttpResponse:
    """After a guest's comment was accepted: remember what they typed when they asked,
    forget it when they unticked the box (a shared computer)."""
    if uses_identity_token(request):
        return response
    if remember and name and email:
        remember_guest(response, name=name, email=email)
    elif GUEST_COOKIE in request.COOKIES:
        forget_guest(response)
    return response
