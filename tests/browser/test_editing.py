"""An editor's day in the Wagtail admin, in a real browser: draft, preview, schedule, and
see the column go live at its time."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article


@pytest.fixture
def editor(site_structure: Any) -> Any:
    return get_user_model().objects.create_superuser("eve", "eve@example.org", "a long phrase")


def signed_in(page: Page, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_previews_a_saved_draft(page: Page, live_server: Any, editor: Any) -> None:
    article = make_article(title="Our river deserves better", tags=["river", "climate"])
    make_article(title="The river plan, costed", tags=["river"])
    signed_in(page, live_server, editor)

    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/")
    page.get_by_role("textbox", name="Standfirst").fill(
        "A draft standfirst the readers have not seen yet."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("has been updated")).to_be_visible()

    # The preview a person opens from the editor: the side panel renders the draft.
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe#w-preview-iframe")
    expect(preview.get_by_text("A draft standfirst the readers have not seen yet.")).to_be_visible()
    expect(preview.get_by_role("heading", name="Our river deserves better")).to_be_visible()

    # And the same preview in a tab of its own.
    response = page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/preview/")
    assert response is not None and response.status == 200
    expect(page.get_by_text("A draft standfirst the readers have not seen yet.")).to_be_visible()
    assert ArticlePage.objects.get(pk=article.pk).dek != "A draft standfirst..."
