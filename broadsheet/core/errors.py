"""Errors that actions raise and entry points (views, API, commands) turn into answers."""

from __future__ import annotations


class ActionError(Exception):
    """A state change was refused. `message` is safe to show to the reader who asked."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ActionError):
    status = 403
    code = "forbidden"


class RateLimited(ActionError):
    status = 429
    code = "rate_limited"
