"""404 and 500 pages in the publication's layout, readable on a phone."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from broadsheet.articles.models import PublicationSettings

pytestmark = pytest.mark.django_db

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def test_a_missing_page_is_ours_with_a_way_on(client: Client, site_structure: object) -> None:
    response = client.get("/no-such-story/")
    assert response.status_code == 404
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="masthead"' in html and PublicationSettings.load().name in html
    assert "Page not found" in html and 'action="/search/"' in html


def test_a_server_error_page_needs_nothing_but_static_files() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="masthead"' in html and "Something went wrong" in html
    assert "/static/css/site.css" in html
