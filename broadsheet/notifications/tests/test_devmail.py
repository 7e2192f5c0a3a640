"""/_dev/outbox shows the demo's mail (file backend), headers included, each message only
to staff, its signed-in owner, or the browser that typed its address into a form (never
a password-reset or sign-in link to anyone but staff and the owner); never in
production."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
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
    client.force_login(rosa)
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


def _listed(client: Client) -> str:
    response = client.get("/_dev/outbox/")
    assert response.status_code == 200
    return response.content.decode()


def _links(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('href="/_dev/outbox/')[1:]]


def test_a_browser_reads_the_mail_it_caused_and_no_other(
    demo: Any, thread: Thread, django_capture_on_commit_callbacks: Any
) -> None:
    gabriel, stranger = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = gabriel.post(
            f"/notify/t/{thread.pk}/subscribe/", {"email": "gabriel@example.org", "kind": "thread"}
        )
    assert answer.status_code == 200
    mine = _listed(gabriel)
    assert "gabriel@example.org" in mine
    link = _links(mine)[0]
    assert gabriel.get(f"/_dev/outbox/{link}").status_code == 200
    assert "gabriel@example.org" not in _listed(stranger)
    assert stranger.get(f"/_dev/outbox/{link}").status_code == 404


def test_a_password_reset_link_reaches_only_staff_never_the_browser_that_asked(
    demo: Any, client: Client
) -> None:
    users = get_user_model()
    users.objects.create_user("admin", "admin@example.org", "pw-admin-1234", is_staff=True)
    attacker = Client()
    answer = attacker.post("/accounts/password/reset/", {"email": "admin@example.org"})
    assert answer.status_code == 302
    assert "admin@example.org" not in _listed(attacker)
    staff = Client()
    staff.force_login(users.objects.get(username="admin"))
    listed = _listed(staff)
    assert "admin@example.org" in listed
    link = _links(listed)[0]
    page = staff.get(f"/_dev/outbox/{link}").content.decode()
    assert "/accounts/password/reset/key/" in page
    assert attacker.get(f"/_dev/outbox/{link}").status_code == 404
    assert Client().get(f"/_dev/outbox/{link}").status_code == 404
