"""/_dev/outbox: the demo's outgoing mail (Django's file backend under var/outbox), headers
included, for development only. Answers 404 unless BROADSHEET_DEMO or DEBUG; config/urls.py
mounts it only then too. HTML parts are shown in a sandboxed iframe (srcdoc, no scripts)
and as escaped source; nothing from a message is ever rendered as our own markup."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_FILES = 200


def outbox_dir() -> Path:
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    configured = mailer.get("OPTIONS", {}).get("file_path")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "outbox"


def _enabled() -> bool:
    return bool(getattr(settings, "BROADSHEET_DEMO", False) or settings.DEBUG)


@dataclass
class StoredMessage:
    file: str
    index: int
    message: EmailMessage
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> str:
        return str(self.message.get("To", ""))

    @property
    def date(self) -> str:
        return str(self.message.get("Date", ""))


def _parse(file: str, index: int, raw: bytes) -> StoredMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    stored = StoredMessage(file=file, index=index, message=message)
    stored.headers = [(name, str(value)) for name, value in message.items()]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    stored.text = text.get_content() if text is not None else ""  # type: ignore[attr-defined]
    stored.html = html.get_content() if html is not None else ""  # type: ignore[attr-defined]
    return stored


def stored_messages() -> list[StoredMessage]:
    """Every message in the outbox, newest file first."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    found: list[StoredMessage] = []
    for file in files[:MAX_FILES]:
        chunks = [chunk for chunk in file.read_bytes().split(SEPARATOR) if chunk.strip()]
        found.extend(_parse(file.name, i, chunk) for i, chunk in reversed(list(enumerate(chunks))))
    return found


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    if not _enabled():
        raise Http404("Not in production")
    return render(request, "notifications/dev/outbox.html", {"messages_": stored_messages()})


@require_GET
def outbox_message(request: HttpRequest, file: str, index: int) -> HttpResponse:
    if not _enabled():
        raise Http404("Not in production")
    for stored in stored_messages():
        if stored.file == file and stored.index == index:
            return render(request, "notifications/dev/message.html", {"m": stored})
    raise Http404("No such message")


urlpatterns = [
    path("", outbox, name="outbox"),
    path("<str:file>/<int:index>/", outbox_message, name="outbox-message"),
]
