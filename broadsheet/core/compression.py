"""Compressed answers: Brotli or gzip, whichever the reader's Accept-Encoding allows.

A room of its own (docs/decisions/compressed-pages.md). Its contract:

- **Negotiation** (`chosen_encoding`): Brotli, then gzip, then the identity, among the
  codings a request accepts with a non-zero q (an explicit `identity;q=0` is not
  honoured: an uncompressed answer is always possible). Every answer that could have been
  compressed says `Vary: Accept-Encoding`, compressed or not.
- **Answers Django renders** are compressed as they leave the stack
  (`CompressionMiddleware`, the outermost middleware): text, JSON, XML, JavaScript and SVG
  of at least MIN_SIZE bytes, never a stream (live updates), never an answer that already
  has a Content-Encoding (static files: whitenoise serves its own precompressed files).
  Tokens on those pages are masked afresh for every answer (Django's CSRF), which is what
  keeps a compressed page from telling its secret byte by byte (BREACH).
- **Stored pages** (the anonymous page cache, broadsheet.core.pagecache) are compressed
  once, when they are stored (`PrecompressedPage`), so that a hit costs no compression:
  - a page without a CSRF token is kept whole in both codings;
  - a page with tokens is kept as gzip only: its deflate stream is cut where the tokens
    go, and a hit puts the reader's token there as a stored (uncompressed) block. The
    compressor saw, at each cut, a placeholder of the token's length made of a byte
    that UTF-8 text never holds, so the distances of every later back-reference are right
    and no back-reference can point into a token (nothing else on the page has that
    byte); the placeholder's own compressed bytes are thrown away. The gzip trailer's
    CRC-32 is the placeholder page's CRC corrected by the token's, through a 32×32 bit
    matrix worked out at store time (CRC-32 is affine in the message), so a hit reads
    no byte of the page. Brotli's context modelling and distance cache carry state across
    such a cut, so it is not offered for pages with tokens. The token, uncompressed,
    gives a compression oracle nothing to measure.

broadsheet/core/tests/test_compression.py holds the contract: every variant decompressed
with the standard decoders is the page, byte for byte, with the reader's own token.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import brotli
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

BROTLI = "br"
GZIP = "gzip"
MIN_SIZE = 860  # below about one packet, compressing saves the reader nothing
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/manifest+json",
    "image/svg+xml",
)
# On the fly (a miss, a signed-in reader's page, the API): fast settings that still
# beat gzip's ratio. Stored pages are compressed once and can afford more.
LIVE_BROTLI_QUALITY = 4
LIVE_GZIP_LEVEL = 6
STORED_BROTLI_QUALITY = 9
STORED_GZIP_LEVEL = 6

# A byte that well-formed UTF-8 never holds: the placeholder is made of it.
PLACEHOLDER_BYTE = b"\xff"
# gzip's member header: no name, no time (a stored page must not change with the clock),
# "unknown" operating system.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_ALL_ONES = 0xFFFFFFFF

_CODING = _lazy_re_compile(r"^\s*([A-Za-z0-9*!#$%&'+.^_`|~-]+)\s*(?:;\s*[qQ]\s*=\s*([0-9.]+))?\s*$")


def accepted_codings(accept_encoding: str) -> set[str]:
    """The codings a request accepts (q > 0), lower-cased; `*` stands for any other."""
    accepted: set[str] = set()
    refused: set[str] = set()
    for item in accept_encoding.split(","):
        match = _CODING.match(item)
        if match is None:
            continue
        name, q = match.group(1).lower(), match.group(2)
        try:
            weight = float(q) if q is not None else 1.0
        except ValueError:
            continue
        (accepted if weight > 0 else refused).add(name)
    if "*" in accepted:
        accepted |= {BROTLI, GZIP} - refused
    return accepted


def chosen_encoding(accept_encoding: str, offered: Sequence[str] = (BROTLI, GZIP)) -> str | None:
    """The first of `offered` that the request accepts, or None (the identity)."""
    if not accept_encoding:
        return None
    accepted = accepted_codings(accept_encoding)
    for coding in offered:
        if coding in accepted:
            return coding
    return None


def is_compressible(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower().startswith(COMPRESSIBLE_TYPES)


def compress(body: bytes, coding: str, *, stored: bool = False) -> bytes:
    if coding == BROTLI:
        quality = STORED_BROTLI_QUALITY if stored else LIVE_BROTLI_QUALITY
        return bytes(brotli.compress(body, quality=quality))
    level = STORED_GZIP_LEVEL if stored else LIVE_GZIP_LEVEL
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = deflate.compress(body) + deflate.flush(zlib.Z_FINISH)
    return GZIP_HEADER + stream + struct.pack("<II", zlib.crc32(body), len(body) & _ALL_ONES)


class CompressionMiddleware:
    """Compress what Django answers (the outermost middleware; see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not is_compressible(response.get("Content-Type", ""))
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        body = response.content
        coding = chosen_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if coding is None or len(body) < MIN_SIZE:
            return response
        response.content = compress(body, coding)
        response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(response.content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # the bytes differ: only a weak match holds
            response["ETag"] = "W/" + etag
        return response


# --- stored pages ----------------------------------------------------------------------------


def _crc_register(data: bytes | memoryview, register: int) -> int:
    """CRC-32's bare register after `data`, started at `register` (zlib's crc32 inverts
    its start and its result: inverting both leaves the linear core)."""
    return zlib.crc32(data, register ^ _ALL_ONES) ^ _ALL_ONES


def _shift_matrix(lengths_after: Sequence[int], zeros: memoryview) -> tuple[int, ...]:
    """Columns of the map v ↦ XOR over the cuts of v moved through the bytes after each
    cut: the difference a token makes to the CRC is this map of the difference it makes
    to the register over the token's own bytes. By Horner's rule, one pass over the page
    per column."""
    columns = []
    for bit in range(32):
        accumulated = 1 << bit
        for earlier, later in itertools.pairwise(lengths_after):
            accumulated = _crc_register(zeros[: earlier - later], accumulated) ^ (1 << bit)
        columns.append(_crc_register(zeros[: lengths_after[-1]], accumulated))
    return tuple(columns)


def _apply(columns: tuple[int, ...], vector: int) -> int:
    result = 0
    bit = 0
    while vector:
        if vector & 1:
            result ^= columns[bit]
        vector >>= 1
        bit += 1
    return result


def _stored_block(data: bytes) -> bytes:
    """A deflate block holding `data` as it is (the stream is byte-aligned here)."""
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


@dataclass(frozen=True, slots=True)
class PrecompressedPage:
    """A stored page in the codings a hit may answer with (see the module docstring)."""

    brotli: bytes | None
    gzip: bytes | None  # a page without tokens
    gzip_segments: tuple[bytes, ...] = ()  # a page with tokens: the stream between them
    placeholder_crc: int = 0
    placeholder_register: int = 0
    crc_columns: tuple[int, ...] = ()
    size: int = 0

    @classmethod
    def of(cls, parts: Sequence[bytes], token_length: int) -> PrecompressedPage | None:
        """`parts`: the page cut where its tokens go (pagecache._parts_around_tokens).
        None when the page cannot be kept compressed (it holds the placeholder byte)."""
        if len(parts) == 1:
            body = parts[0]
            return cls(
                brotli=compress(body, BROTLI, stored=True), gzip=compress(body, GZIP, stored=True)
            )
        if any(PLACEHOLDER_BYTE in part for part in parts):
            return None
        placeholder = PLACEHOLDER_BYTE * token_length
        deflate = zlib.compressobj(STORED_GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        segments = []
        for part in parts[:-1]:
            segments.append(deflate.compress(part) + deflate.flush(zlib.Z_SYNC_FLUSH))
            deflate.compress(placeholder)
            deflate.flush(zlib.Z_SYNC_FLUSH)  # its output is the token's stored block's place
        segments.append(deflate.compress(parts[-1]) + deflate.flush(zlib.Z_FINISH))
        segments[0] = GZIP_HEADER + segments[0]
        placeholder_page = placeholder.join(parts)
        size = len(placeholder_page)
        lengths_after, position = [], 0
        for part in parts[:-1]:
            position += len(part) + token_length
            lengths_after.append(size - position)
        return cls(
            brotli=None,
            gzip=None,
            gzip_segments=tuple(segments),
            placeholder_crc=zlib.crc32(placeholder_page),
            placeholder_register=_crc_register(placeholder, 0),
            crc_columns=_shift_matrix(lengths_after, memoryview(bytes(size))),
            size=size,
        )

    def offered(self) -> tuple[str, ...]:
        return (BROTLI, GZIP) if self.brotli is not None else (GZIP,)

    def body(self, coding: str, token: bytes = b"") -> bytes:
        if coding == BROTLI and self.brotli is not None:
            return self.brotli
        if self.gzip is not None:
            return self.gzip
        difference = _crc_register(token, 0) ^ self.placeholder_register
        crc = self.placeholder_crc ^ _apply(self.crc_columns, difference)
        trailer = struct.pack("<II", crc, self.size & _ALL_ONES)
        return _stored_block(token).join(self.gzip_segments) + trailer
