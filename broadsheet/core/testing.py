"""Test helpers shared by every app: a real SMTP server that Django's mail goes to, and a
page cache that forgets everything between tests."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


# --- a real HTTP receiver on loopback (webhooks, the external moderation call) ----------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    answer: bytes = b"ok"
    received: list[Received] = field(default_factory=list)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            if state.delay:
                time.sleep(state.delay)
            status = state.statuses.pop(0) if state.statuses else 200
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(state.answer)))
                self.end_headers()
                self.wfile.write(state.answer)
            except OSError:
                pass  # the sender gave up (timeout)

        def log_message(self, *args: object) -> None:
            pass

    # Port 0: an ephemeral port on loopback, as the brief allows for test receivers.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
