"""Outbound requests to webhook receivers (and to an imported site's old pictures), guarded.

An admin types the receiver's URL, so it must not become a way to reach what only this
server can: private, loopback, link-local and other special addresses are refused unless
the site allows them (a receiver on its LAN; the test suite's receiver on loopback). The
address is checked after DNS resolution and the connection is made to that very address
(a name that resolves differently a moment later cannot slip through). No redirects are
followed, every step has a timeout, and at most a bounded part of the answer is read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_BODY_BYTES = 256 * 1024


class OutboundRefused(Exception):
    """The request was not sent: the address is not allowed or the URL is unusable."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = ""
    location: str = ""  # of a redirect (never followed here)
    complete: bool = True  # False: the body went past the size allowed and was cut


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The first address of `host` we may connect to; OutboundRefused if none is."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise OutboundRefused(f"cannot resolve {host}: {error}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    # Every address must pass, so the choice among them cannot be steered.
    refused = [a for a in addresses if not allow_private and not _public(a)]
    if refused or not addresses:
        raise OutboundRefused(f"{host} resolves to a private or special address ({refused[0]})")
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _connection(
    url: str, *, allow_private: bool, timeout: float
) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("only http and https URLs are allowed")
    if parts.username or parts.password:
        raise OutboundRefused("credentials in the URL are not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port, allow_private=allow_private)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return kind(parts.hostname, port, address, timeout), target


def get(
    url: str,
    *,
    allow_private: bool,
    timeout: float,
    deadline: float,
    max_response_bytes: int,
) -> Answer:
    """GET `url` under the guard (other sites' files: the importers' pictures). Every
    step has `timeout`, the whole answer must arrive within `deadline` seconds (a
    server that trickles bytes is cut off), and at most `max_response_bytes` are read
    (``complete`` says whether that was all). OutboundRefused when it may not be
    asked; OSError (timeouts included) when it cannot be reached."""
    ends = time.monotonic() + deadline
    connection, target = _connection(url, allow_private=allow_private, timeout=timeout)
    try:
        connection.request("GET", target, headers={"Accept": "image/*"})
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size <= max_response_bytes:
            if time.monotonic() > ends:
                raise TimeoutError(f"no complete answer within {deadline:g} s")
            chunk = response.read(min(65536, max_response_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        return Answer(
            response.status,
            body[:max_response_bytes],
            content_type=response.getheader("Content-Type", "") or "",
            location=response.getheader("Location", "") or "",
            complete=size <= max_response_bytes,
        )
    finally:
        connection.close()


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    timeout: float,
    max_response_bytes: int,
) -> Answer:
    """POST `body` to `url` under the guard. OutboundRefused when it may not be sent;
    OSError (timeouts included) when the receiver cannot be reached."""
    if len(body) > MAX_BODY_BYTES:
        raise OutboundRefused("the payload is too large")
    connection, target = _connection(url, allow_private=allow_private, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(max_response_bytes))
    finally:
        connection.close()
