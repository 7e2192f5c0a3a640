"""Who writes through the API, and the CSRF check that protects cookie-based readers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.utils import check_csrf

from broadsheet.core.errors import NotAllowed
from broadsheet.discussion.identity import Actor, actor_from_request


class CsrfFailed(NotAllowed):
    code = "csrf_failed"


CSRF_PASSED = "csrf-passed"


def csrf_checked(request: HttpRequest) -> str:
    """The `auth=` of every write operation: Django's CSRF check, made before django-ninja
    reads the body, so a forged request is answered 403 whatever it carries (never a 422
    that tells the forger what to fix).

    Every write is checked, with or without a session: the reader cookie and even the
    reader's IP (rate limits) are ambient credentials another site could ride on.
    """
    if check_csrf(request) is not None:
        raise CsrfFailed(
            "The CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header."
        )
    return CSRF_PASSED


def writer(request: HttpRequest) -> Actor:
    """The actor of a write request, after the CSRF check (made once, by `csrf_checked`
    as the operation's auth, or here)."""
    if getattr(request, "auth", None) != CSRF_PASSED:
        csrf_checked(request)
    return actor_from_request(request, mint_reader=True)
