"""core.csrf_tokens: the page's CSRF token, made as Django's get_token makes it (and
accepted by Django's own middleware), once per request and secret."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (  # type: ignore[attr-defined]  # _unmask_cipher_token
    CSRF_ALLOWED_CHARS,
    CsrfViewMiddleware,
    _unmask_cipher_token,
    rotate_token,
)
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from broadsheet.articles.testing import make_article, make_section
from broadsheet.core.csrf_tokens import masked_csrf_token, random_csrf_chars, request_csrf_token

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _through_middleware(request: HttpRequest, view: Any) -> HttpResponse:
    response = CsrfViewMiddleware(view)(request)
    assert isinstance(response, HttpResponse)
    return response


def test_a_new_reader_gets_a_secret_and_its_cookie_as_from_get_token() -> None:
    request = RequestFactory().get("/")
    tokens: list[str] = []

    def view(r: HttpRequest) -> HttpResponse:
        tokens.append(request_csrf_token(r))
        return HttpResponse()

    response = _through_middleware(request, view)
    secret = response.cookies["csrftoken"].value
    assert len(secret) == 32 and not secret.strip(CSRF_ALLOWED_CHARS)
    assert len(tokens[0]) == 64 and _unmask_cipher_token(tokens[0]) == secret


@pytest.mark.django_db
def test_one_token_per_request_and_a_rotated_secret_gets_its_own() -> None:
    request = RequestFactory().get("/", HTTP_COOKIE="csrftoken=" + "a" * 32)
    seen: list[str] = []

    def view(r: HttpRequest) -> HttpResponse:
        seen.append(request_csrf_token(r))
        seen.append(Template("{% csrf_token %}").render(RequestContext(r, {})))
        seen.append(request_csrf_token(r))
        rotate_token(r)  # signing in
        seen.append(request_csrf_token(r))
        return HttpResponse()

    response = _through_middleware(request, view)
    first, field, again, rotated = seen
    assert first == again and TOKEN.findall(field) == [first]
    assert _unmask_cipher_token(first) == "a" * 32
    assert _unmask_cipher_token(rotated) == response.cookies["csrftoken"].value != "a" * 32


def test_secrets_and_masks_use_every_character() -> None:
    drawn = "".join(random_csrf_chars() for _ in range(200))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
    assert len({masked_csrf_token("b" * 32) for _ in range(50)}) == 50


@pytest.mark.django_db
def test_djangos_middleware_accepts_the_pages_token_and_no_other(without_page_cache: None) -> None:
    story = make_article(section=make_section("World"), title="Harbour cranes return")
    checked = Client(enforce_csrf_checks=True)
    page = checked.get(story.url).content.decode()
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1  # every form of the page carries the one token
    (token,) = tokens
    assert _unmask_cipher_token(token) == checked.cookies["csrftoken"].value
    react = reverse("articles:react", args=[story.pk])
    assert checked.post(react, {"value": "up", "csrfmiddlewaretoken": token}).status_code < 400
    other = masked_csrf_token(random_csrf_chars())
    refused = checked.post(react, {"value": "down", "csrfmiddlewaretoken": other})
    assert refused.status_code == 403
