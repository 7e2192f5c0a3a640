"""Test helpers shared by every app: a real SMTP server that Django's mail goes to, and a
page cache that forgets everything between tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from broadsheet.core import pagecache
from broadsheet.core.versions import scope_versions


def forget_every_page() -> None:
    """Every scope gets a new version and this process drops its pages (between tests;
    an operator never needs it: a bump of the scopes a change touches is enough)."""
    scope_versions().reset()
    pagecache._local_pages.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_smtp_server(handler: Any) -> Iterator[dict[str, Any]]:
    """Run aiosmtpd on 127.0.0.1 with `handler` (an object with `handle_DATA`); yields the
    MAILERS setting that points Django's default mailer at it."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
    finally:
        controller.stop()
