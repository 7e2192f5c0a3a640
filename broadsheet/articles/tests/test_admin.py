"""Editors work in the Wagtail admin: they can write, publish and manage authors."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import GroupPagePermission

from broadsheet.articles.models import PublicationSettings
from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db


def test_the_editors_group_can_publish_and_manage_authors_and_settings() -> None:
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {
        "access_admin",
        "add_author",
        "change_author",
        "change_publicationsettings",
    } <= codenames
    page_permissions = set(
        GroupPagePermission.objects.filter(group=editors).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page", "publish_page"} <= page_permissions


def test_an_editor_opens_the_admin_and_the_new_article_form(editor_eve: Client) -> None:
    section = make_section("World")
    assert editor_eve.get("/admin/").status_code == 200
    response = editor_eve.get(f"/admin/pages/add/articles/articlepage/{section.pk}/")
    assert response.status_code == 200
    assert "Standfirst" in response.content.decode()


def test_the_admin_asks_no_third_party_for_an_editors_avatar(editor_eve: Client) -> None:
    html = editor_eve.get("/admin/").content.decode()
    assert "gravatar.com" not in html
    assert "avatar" in html  # Wagtail's own default picture instead


def test_a_scheduled_article_goes_live_when_its_time_comes(client: Client) -> None:
    draft = make_article(publish=False, title="Budget night live")
    draft.go_live_at = timezone.now() + timedelta(seconds=2)
    draft.save_revision().publish()
    draft.refresh_from_db()
    assert not draft.live
    assert client.get("/world/").content.decode().count("Budget night live") == 0

    time.sleep(2.5)  # the scheduled time passes
    call_command("publish_scheduled")
    draft.refresh_from_db()
    assert draft.live
    assert "Budget night live" in client.get("/world/").content.decode()


def test_every_edit_keeps_a_revision(editor_eve: Client) -> None:
    article = make_article(title="First headline")
    article.title = "Second headline"
    article.save_revision().publish()
    titles = [r.content["title"] for r in article.revisions.order_by("created_at")]
    assert titles[-2:] == ["First headline", "Second headline"]
    assert editor_eve.get(f"/admin/pages/{article.pk}/history/").status_code == 200


def test_an_editor_edits_the_publication_settings(editor_eve: Client) -> None:
    settings_id = PublicationSettings.load().pk
    url = f"/admin/settings/articles/publicationsettings/{settings_id}/"
    assert editor_eve.get(url).status_code == 200


def test_readers_cannot_open_the_admin(client: Client) -> None:
    reader = get_user_model().objects.create_user("reader_rosa", password="pw-rosa-12345")
    client.force_login(reader)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
