"""Page-cache hits answered before Django runs (config/wsgi.py): the same page, headers
and privacy as Django's own answer, and nothing served that Django would not serve."""

from __future__ import annotations

import io
import re
import sys
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article, make_section
from broadsheet.core.clients import READER_COOKIE
from broadsheet.core.pagecache import PAGE_PREFIX
from config.wsgi import application

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture
def article(db: None) -> ArticlePage:
    return make_article(section=make_section("World"), title="Port strike ends")


def wsgi_get(path: str, *, cookie: str = "", **extra: str) -> tuple[str, dict[str, str], bytes]:
    """GET through the WSGI application exactly as the web server calls it."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"], answer["headers"] = status, headers

    # As django.test.Client does: the handler closes connections around each request,
    # which would end the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        body = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    headers: dict[str, str] = {}
    for name, value in answer["headers"]:
        headers[name] = f"{headers[name]}\n{value}" if name in headers else value
    return answer["status"], headers, body


def test_a_hit_is_the_page_and_headers_django_gave_with_a_token_of_its_own(article) -> None:
    status, rendered_headers, rendered = wsgi_get(article.url)
    assert rendered_headers["X-Page-Cache"] == "miss"
    status, headers, body = wsgi_get(article.url)
    assert status == "200 OK"
    assert headers["X-Page-Cache"] == "hit"
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert headers[name] == rendered_headers[name]
    assert int(headers["Content-Length"]) == len(body)
    assert TOKEN.sub(b"", body) == TOKEN.sub(b"", rendered)
    assert TOKEN.search(body).group(1) != TOKEN.search(rendered).group(1)  # type: ignore[union-attr]
    assert headers["Set-Cookie"].startswith("csrftoken=")


def test_the_token_of_a_hit_works_for_the_reader_it_was_given_to(article) -> None:
    wsgi_get(article.url)
    _status, headers, body = wsgi_get(article.url)
    assert headers["X-Page-Cache"] == "hit"
    secret = headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    token = TOKEN.search(body).group(1).decode()  # type: ignore[union-attr]
    reader = Client(enforce_csrf_checks=True)
    reader.cookies["csrftoken"] = secret
    vote = reader.post(f"/react/{article.pk}/", {"value": "up", "csrfmiddlewaretoken": token})
    assert vote.status_code == 302


def test_a_returning_reader_keeps_their_csrf_cookie(article) -> None:
    wsgi_get(article.url)
    secret = "a" * 32
    _status, headers, _body = wsgi_get(article.url, cookie=f"csrftoken={secret}")
    assert headers["X-Page-Cache"] == "hit"
    assert "Set-Cookie" not in headers


def test_readers_with_state_of_their_own_go_to_django(article) -> None:
    wsgi_get(article.url)
    for cookie in (f"{READER_COOKIE}=someone", "sessionid=abc", "messages=x"):
        _status, headers, _body = wsgi_get(article.url, cookie=cookie)
        assert "X-Page-Cache" not in headers


def test_a_vote_sends_the_next_reader_to_django_for_a_fresh_page(
    article, django_capture_on_commit_callbacks
) -> None:
    wsgi_get(article.url)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/react/{article.pk}/", {"value": "up"})
    _status, headers, body = wsgi_get(article.url)
    assert headers["X-Page-Cache"] == "miss"
    assert b"<strong data-points>1</strong>" in body


def test_a_page_stored_for_https_is_never_served_to_plain_http(article, settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    wsgi_get(article.url, HTTP_X_FORWARDED_PROTO="https")
    _status, headers, _body = wsgi_get(article.url, HTTP_X_FORWARDED_PROTO="https")
    assert headers["X-Page-Cache"] == "hit"
    _status, headers, _body = wsgi_get(article.url, HTTP_X_FORWARDED_PROTO="http")
    assert headers["X-Page-Cache"] == "miss"


def test_another_host_name_never_gets_a_page_stored_for_this_one(article) -> None:
    wsgi_get(article.url)
    status, headers, _body = wsgi_get(article.url, HTTP_HOST="evil.example")
    assert "X-Page-Cache" not in headers
    assert status.startswith("400")


class ReadCountingCache(LocMemCache):
    """A real in-memory cache that remembers the keys it was asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[str] = []

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        self.reads.append(key)
        return super().get(key, default, version)


@pytest.fixture
def counted_cache(settings: Any) -> ReadCountingCache:
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": f"{__name__}.ReadCountingCache",
            "LOCATION": "page-cache-reads",
        },
    }
    counted = caches["default"]
    assert isinstance(counted, ReadCountingCache)
    return counted


def page_reads(counted: ReadCountingCache) -> int:
    return sum(key.startswith(PAGE_PREFIX) for key in counted.reads)


def test_a_miss_looks_the_page_up_once(article, counted_cache: ReadCountingCache) -> None:
    """The look-up made before Django runs is handed to the middleware, which renders
    and stores the page without looking it up again."""
    _status, headers, _body = wsgi_get(article.url)
    assert headers["X-Page-Cache"] == "miss"
    assert page_reads(counted_cache) == 1
    counted_cache.reads.clear()
    _status, headers, _body = wsgi_get(article.url)
    assert headers["X-Page-Cache"] == "hit"
    assert page_reads(counted_cache) == 0  # this process keeps its own copy


def test_a_stale_page_is_looked_up_once_before_it_is_rendered_again(
    article, counted_cache: ReadCountingCache, django_capture_on_commit_callbacks
) -> None:
    wsgi_get(article.url)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/react/{article.pk}/", {"value": "up"})
    counted_cache.reads.clear()
    _status, headers, body = wsgi_get(article.url)
    assert headers["X-Page-Cache"] == "miss"
    assert b"<strong data-points>1</strong>" in body
    # This process's copy is stale: the shared cache is asked once whether another
    # process has rendered the page since.
    assert page_reads(counted_cache) == 1
