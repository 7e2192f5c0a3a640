"""The address a guest's browser proved it reads: set when they confirm a subscription
from the link we e-mailed, so that "Notify of" can show them their subscriptions under
the discussion and let them cancel there, and a new subscription of that address on this
device needs no second confirmation.

Only the confirmation proves it: an address merely typed into a form could be anyone's,
and would let a stranger see and cancel another person's subscriptions. The cookie is
signed and HttpOnly, and one of core.clients.PERSONAL_COOKIES, so pages rendered for it
never reach the anonymous page cache.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse

from broadsheet.core.clients import READER_COOKIE_MAX_AGE, SUBSCRIBER_COOKIE, set_personal_cookie
from broadsheet.notifications.selectors import normalise_email

_SALT = "broadsheet.notifications.subscriber"


def confirmed_address(request: HttpRequest) -> str | None:
    """The address this browser confirmed, or None."""
    raw = request.COOKIES.get(SUBSCRIBER_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=READER_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    email = data.get("e") if isinstance(data, dict) else None
    return normalise_email(email) if isinstance(email, str) and email else None


def remember_confirmed_address(response: HttpResponse, email: str) -> HttpResponse:
    value = signing.dumps({"e": normalise_email(email)}, salt=_SALT, compress=True)
    set_personal_cookie(response, SUBSCRIBER_COOKIE, value)
    return response
