"""Errors that actions raise and entry points (views, API, commands) turn into answers."""

from __future__ import annotations

from django.utils.functional import Promise


class ActionError(Exception):
    """A state change was refused. `message` is safe to show to the reader who asked.

    Messages are marked for translation where they are written; a lazy one (a module's
    constant) is put in the language of the request that raised it, here."""

    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        text = str(message)
        super().__init__(text)
        self.message = text
        self.field = field


class NotAllowed(ActionError):
    status = 403
    code = "forbidden"


class RateLimited(ActionError):
    status = 429
    code = "rate_limited"
