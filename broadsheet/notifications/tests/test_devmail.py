"""/_dev/outbox shows the demo's mail (file backend), headers included; never in production."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import clear_url_caches

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import post
from broadsheet.notifications.actions import do_subscribe

pytestmark = pytest.mark.django_db

urlpatterns: list[Any] = []  # replaced per test (a demo site's URLs)


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> Any:
    from django.urls import include, path

    settings.BROADSHEET_DEMO = True
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path / "outbox")},
        }
    }
    urlpatterns[:] = [
        path("_dev/outbox/", include(("broadsheet.notifications.devmail", "dev-outbox"))),
        path("", include("config.urls")),
    ]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    yield settings
    clear_url_caches()


def test_the_outbox_lists_messages_and_shows_headers_and_both_parts_safely(
    demo: Any,
    thread: Thread,
    rosa: Any,
    guest_gabriel: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    do_subscribe(thread=thread, kind="thread", user=rosa)
    with django_capture_on_commit_callbacks(execute=True):
        post(thread, guest_gabriel, "<script>alert(1)</script> Plain words.", name="Gabriel")
    client = Client()
    listing = client.get("/_dev/outbox/").content.decode()
    assert "New comment on “Room for the river”" in listing
    link = listing.split('href="/_dev/outbox/')[1].split('"')[0]
    page = client.get(f"/_dev/outbox/{link}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "List-Unsubscribe-Post" in html and "List-Unsubscribe=One-Click" in html
    assert "Plain words." in html
    assert (
        '<iframe class="outbox-message__html" sandbox title="HTML part" '
        'srcdoc="&lt;!doctype html&gt;' in html
    )
    assert "<script>alert" not in html
    assert '<body style="font-family' not in html  # the mail's HTML is never our markup


def test_the_outbox_is_absent_in_production(demo: Any, client: Client) -> None:
    demo.BROADSHEET_DEMO = False
    demo.DEBUG = False
    assert client.get("/_dev/outbox/").status_code == 404


def test_production_urls_have_no_outbox(client: Client) -> None:
    assert client.get("/_dev/outbox/").status_code == 404
