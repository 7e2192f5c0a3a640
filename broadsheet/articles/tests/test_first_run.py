"""Day one in production: an empty database (only what migrations make) gets a neutral
name, and the README's first-run path names it and puts it on SITE_URL."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Site

pytestmark = pytest.mark.django_db


def test_an_empty_site_is_not_called_after_the_demo(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "Meridian" not in html
    assert '<p class="masthead__title"><a href="/" rel="home">Broadsheet</a></p>' in html


def test_the_first_run_path_of_the_readme(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SITE_URL = "https://news.example.org"
    # 1. The first administrator (README: `manage.py createsuperuser`).
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long first pass phrase")
    call_command(
        "createsuperuser", "--noinput", "--username", "chief", "--email", "chief@example.org"
    )
    # 2. Name the publication and put its Site on SITE_URL.
    out = StringIO()
    call_command("set_up_site", "--name", "The Harbour Gazette", stdout=out)
    assert "https://news.example.org" in out.getvalue()

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.site_name) == (
        "news.example.org",
        443,
        "The Harbour Gazette",
    )
    html = client.get("/").content.decode()
    assert "The Harbour Gazette" in html
    assert client.login(username="chief", password="a long first pass phrase")
    assert client.get("/admin/").status_code == 200
