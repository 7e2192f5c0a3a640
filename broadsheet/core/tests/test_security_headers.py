"""What a security scanner expects of a production answer: HSTS over HTTPS, a strict CSP,
nosniff, frame and referrer policies, COOP, Permissions-Policy, and Secure + HttpOnly +
SameSite session cookies (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings: Any) -> Any:
    # What config/env.py derives from SITE_URL=https://… (tested in test_env.py).
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_a_secure_answer_carries_every_header_a_scanner_expects(
    production: Any, site_structure: Any
) -> None:
    response = Client().get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_plain_http_answer_never_pins_https(production: Any) -> None:
    assert "Strict-Transport-Security" not in Client().get("/healthz")


def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(production: Any) -> None:
    make_user("rosa")
    client = Client()
    client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/",
        {"login": "rosa", "password": "a long pass phrase"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_an_https_site_url_turns_on_hsts_and_secure_cookies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config import env

    monkeypatch.setenv("SITE_URL", "https://news.example.org")
    production = env.read_environment()
    assert production.hsts_seconds == 31_536_000 and production.secure_cookies
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")
    demo = env.read_environment()
    assert demo.hsts_seconds == 0 and not demo.secure_cookies
