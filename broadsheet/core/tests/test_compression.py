"""Compressed answers (broadsheet.core.compression): what every reader's decoder gets back
is the page, byte for byte; Brotli or gzip as the request accepts; stored pages served
compressed with the reader's own token; nothing compressed that must not be."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable

import brotli
import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article, make_section
from broadsheet.core.compression import (
    PLACEHOLDER_BYTE,
    CompressionMiddleware,
    PrecompressedPage,
    accepted_codings,
    chosen_encoding,
)
from broadsheet.core.tests.test_pagecache_wsgi import wsgi_get

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Pages as a renderer cuts them: UTF-8 text of any script, cut where tokens go.
page_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=3000
).map(lambda text: text.encode())
tokens = st.text(alphabet=TOKEN_CHARS, min_size=64, max_size=64).map(str.encode)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(page_text, min_size=2, max_size=40), token=tokens)
def test_a_stored_page_with_tokens_decodes_to_the_page_with_the_readers_token(
    parts: list[bytes], token: bytes
) -> None:
    page = PrecompressedPage.of(parts, 64)
    assert page is not None and page.offered() == ("gzip",)
    # gzip.decompress checks the CRC-32 and the length in the trailer.
    assert gzip.decompress(page.body("gzip", token)) == token.join(parts)


@settings(max_examples=30, deadline=None)
@given(body=page_text)
def test_a_stored_page_without_tokens_is_kept_in_both_codings(body: bytes) -> None:
    page = PrecompressedPage.of([body], 64)
    assert page is not None and page.offered() == ("br", "gzip")
    assert brotli.decompress(page.body("br")) == body
    assert gzip.decompress(page.body("gzip")) == body


def test_two_readers_get_two_tokens_from_one_stored_page() -> None:
    parts = [b'<form><input value="', b'"></form>' * 200 + b'<form><input value="', b'">']
    page = PrecompressedPage.of(parts, 64)
    assert page is not None
    first, second = b"a" * 64, b"b" * 64
    assert gzip.decompress(page.body("gzip", first)) == first.join(parts)
    assert gzip.decompress(page.body("gzip", second)) == second.join(parts)
    # Compressed, and the token is in the stream as it is (nothing to measure it by).
    assert len(page.body("gzip", first)) < len(first.join(parts)) / 5
    assert page.body("gzip", first).count(first) == 2


def test_a_page_holding_the_placeholder_byte_is_not_kept_compressed() -> None:
    assert PrecompressedPage.of([b"caf\xc3\xa9 " + PLACEHOLDER_BYTE, b"end"], 64) is None


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("GZIP;Q=1", "gzip"),
        ("br;q=0, *", "gzip"),
        ("*;q=0", None),
        ("gzip;q=x, br", "br"),
        ("deflate", None),
    ],
)
def test_the_coding_is_the_best_one_the_request_accepts(accept: str, chosen: str | None) -> None:
    assert chosen_encoding(accept) == chosen


def test_a_wildcard_stands_only_for_codings_not_refused() -> None:
    assert accepted_codings("gzip;q=0, *") == {"*", "br"}


@pytest.fixture
def article(db: None) -> ArticlePage:
    return make_article(section=make_section("World"), title="Port strike ends")


BODY = ("<p>" + "The river needs room, and the council knows it. " * 60 + "</p>").encode()


def answer_of(response: HttpResponseBase, accept: str) -> HttpResponseBase:
    request = RequestFactory().get("/", headers={"Accept-Encoding": accept} if accept else {})
    return CompressionMiddleware(lambda _request: response)(request)  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize(
    ("accept", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_what_the_stack_answers_is_compressed_as_the_reader_accepts(
    accept: str, decode: Callable[[bytes], bytes]
) -> None:
    answer = answer_of(HttpResponse(BODY, content_type="text/html; charset=utf-8"), accept)
    assert isinstance(answer, HttpResponse)
    assert answer["Content-Encoding"] == accept
    assert answer["Vary"] == "Accept-Encoding"
    assert int(answer["Content-Length"]) == len(answer.content) < len(BODY) / 5
    assert decode(answer.content) == BODY


def test_an_answer_for_a_reader_who_accepts_no_coding_says_it_could_have_been() -> None:
    answer = answer_of(HttpResponse(BODY, content_type="application/json"), "")
    assert isinstance(answer, HttpResponse)
    assert "Content-Encoding" not in answer and answer.content == BODY
    assert answer["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(b"<p>short</p>", content_type="text/html"),
        HttpResponse(BODY, content_type="image/png"),
        StreamingHttpResponse(iter([BODY]), content_type="text/event-stream"),
    ],
    ids=["small", "not text", "a stream"],
)
def test_small_answers_pictures_and_streams_are_left_as_they_are(
    response: HttpResponseBase,
) -> None:
    assert "Content-Encoding" not in answer_of(response, "br, gzip")


def test_an_answer_already_encoded_is_left_alone_and_a_strong_etag_weakened() -> None:
    encoded = HttpResponse(b"x" * 2000, content_type="text/css")
    encoded["Content-Encoding"] = "gzip"
    assert answer_of(encoded, "br") is encoded and encoded.content == b"x" * 2000
    tagged = HttpResponse(BODY, content_type="text/html")
    tagged["ETag"] = '"abc"'
    assert answer_of(tagged, "gzip")["ETag"] == 'W/"abc"'


@pytest.mark.django_db
def test_an_article_page_reaches_a_browser_in_brotli(
    client: Client, article: ArticlePage, without_page_cache: None
) -> None:
    answer = client.get(article.url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert answer["Content-Encoding"] == "br"
    assert "Accept-Encoding" in answer["Vary"]
    page = brotli.decompress(answer.content)
    assert page.startswith(b"<!doctype html>") and b"Port strike ends" in page
    assert TOKEN.search(page)


@pytest.mark.django_db
def test_a_page_cache_hit_is_served_precompressed_with_the_readers_own_token(
    article: ArticlePage,
) -> None:
    _status, rendered_headers, rendered = wsgi_get(article.url)
    assert rendered_headers["X-Page-Cache"] == "miss"
    _status, headers, body = wsgi_get(article.url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert headers["X-Page-Cache"] == "hit"
    assert headers["Content-Encoding"] == "gzip"  # the page has forms: gzip, cut at tokens
    assert int(headers["Content-Length"]) == len(body)
    assert "Accept-Encoding" in headers["Vary"]
    page = gzip.decompress(body)
    assert TOKEN.sub(b"", page) == TOKEN.sub(b"", rendered)
    secret = headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    token = TOKEN.search(page).group(1).decode()  # type: ignore[union-attr]
    reader = Client(enforce_csrf_checks=True)
    reader.cookies["csrftoken"] = secret
    vote = reader.post(f"/react/{article.pk}/", {"value": "up", "csrfmiddlewaretoken": token})
    assert vote.status_code == 302
    _status, plain_headers, plain = wsgi_get(article.url)
    assert "Content-Encoding" not in plain_headers
    assert TOKEN.sub(b"", plain) == TOKEN.sub(b"", rendered)


@pytest.mark.django_db
def test_a_page_without_forms_is_served_in_brotli_from_the_cache(article: ArticlePage) -> None:
    wsgi_get("/")
    _status, headers, body = wsgi_get("/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert headers["X-Page-Cache"] == "hit"
    assert headers["Content-Encoding"] == "br"  # no token on it: kept whole in Brotli
    assert brotli.decompress(body) == wsgi_get("/")[2]
