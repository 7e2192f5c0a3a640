"""Who writes through the API, and the CSRF check that protects cookie-based readers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.utils import check_csrf

from broadsheet.core.errors import NotAllowed
from broadsheet.discussion.identity import Actor, actor_from_request, uses_identity_token


class CsrfFailed(NotAllowed):
    code = "csrf_failed"


def writer(request: HttpRequest) -> Actor:
    """The actor of a write request, after Django's CSRF check.

    Every write is checked, with or without a session: the reader cookie and even the
    reader's IP (rate limits) are ambient credentials another site could ride on. An
    embed's identity token (discussion.identity.IDENTITY_HEADER) is not ambient: a
    request carrying it is the token's actor alone and needs no CSRF token.
    """
    if uses_identity_token(request):
        return actor_from_request(request)
    if check_csrf(request) is not None:
        raise CsrfFailed(
            "The CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header."
        )
    return actor_from_request(request, mint_reader=True)
