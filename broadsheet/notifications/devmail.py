"""/_dev/outbox: the demo's outgoing mail (Django's file backend under var/outbox), headers
included, for development only. Answers 404 unless BROADSHEET_DEMO or DEBUG; config/urls.py
mounts it only then too. HTML parts are shown in a sandboxed iframe (srcdoc, no scripts)
and as escaped source; nothing from a message is ever rendered as our own markup.

A demo is public, so each visitor sees only the mail they caused (`visible_to`):
- staff see every message;
- a signed-in reader sees the mail sent to their own account's addresses;
- any browser sees the mail sent to an address it typed into a form of this site (sign-up,
  "Notify of", a guest comment): `OutboxOwnerMiddleware` keeps keyed hashes of those
  addresses in a signed cookie — except mail that links into the account pages (a
  password reset, an e-mail confirmation that signs in, a sign-in code), which only staff
  and the signed-in owner see: typing someone's address must never hand over their account.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_FILES = 200
OWNER_COOKIE = "bs_outbox"
_OWNER_SALT = "broadsheet.notifications.devmail.owner"
MAX_OWNED_ADDRESSES = 20


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

    @property
    def recipients(self) -> set[str]:
        fields = [str(v) for name in ("To", "Cc", "Bcc") for v in self.message.get_all(name, [])]
        return {address.lower() for _, address in getaddresses(fields) if address}

    @property
    def opens_an_account(self) -> bool:
        """Links into the account pages (reset, confirmation, sign-in code): the owner's."""
        accounts = reverse("account_login").rsplit("/", 2)[0] + "/"
        return accounts in self.text or accounts in self.html


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


def _address_key(address: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), address.strip().lower().encode(), hashlib.sha256
    )
    return digest.hexdigest()[:24]


def _owned_keys(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(OWNER_COOKIE, "")
    try:
        keys = signing.loads(raw, salt=_OWNER_SALT) if raw else []
    except signing.BadSignature:
        return []
    return [str(key) for key in keys][:MAX_OWNED_ADDRESSES] if isinstance(keys, list) else []


def _account_addresses(request: HttpRequest) -> set[str]:
    user = request.user
    if not user.is_authenticated:
        return set()
    found = {
        str(a).lower()
        for a in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return found | ({user.email.lower()} if user.email else set())


def visible_to(request: HttpRequest) -> Callable[[StoredMessage], bool]:
    """Whether this request's visitor may read a message (see the module's docstring)."""
    if getattr(request.user, "is_staff", False):
        return lambda message: True
    own = _account_addresses(request)
    typed = set(_owned_keys(request))

    def allowed(message: StoredMessage) -> bool:
        recipients = message.recipients
        if recipients & own:
            return True
        if message.opens_an_account:
            return False
        return any(_address_key(address) in typed for address in recipients)

    return allowed


class OutboxOwnerMiddleware:
    """Demo only: a form sent with an `email` field and answered without an error makes the
    browser an owner of that address's mail in the outbox (a signed cookie of keyed hashes;
    no address is stored in it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "POST" or response.status_code >= 400 or not _enabled():
            return response
        address = str(request.POST.get("email", "")).strip().lower()
        if "@" not in address:
            return response
        keys = [k for k in _owned_keys(request) if k != _address_key(address)]
        keys = [_address_key(address), *keys][:MAX_OWNED_ADDRESSES]
        response.set_cookie(
            OWNER_COOKIE,
            signing.dumps(keys, salt=_OWNER_SALT),
            max_age=7 * 86400,
            httponly=True,
            samesite="Lax",
            path="/_dev/",
        )
        return response


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    if not _enabled():
        raise Http404("Not in production")
    allowed = visible_to(request)
    shown = [m for m in stored_messages() if allowed(m)]
    return render(request, "notifications/dev/outbox.html", {"messages_": shown})


@require_GET
def outbox_message(request: HttpRequest, file: str, index: int) -> HttpResponse:
    if not _enabled():
        raise Http404("Not in production")
    allowed = visible_to(request)
    for stored in stored_messages():
        if stored.file == file and stored.index == index and allowed(stored):
            return render(request, "notifications/dev/message.html", {"m": stored})
    raise Http404("No such message")


urlpatterns = [
    path("", outbox, name="outbox"),
    path("<str:file>/<int:index>/", outbox_message, name="outbox-message"),
]
