"""The moderation queue in Spanish and Arabic, 1280 px wide, in Wagtail's admin (issue 19):
the page title names the tab in the language, a rule's hold reason reads in it, the
reason box shows its whole hint, the page is right to left in Arabic, and axe-core finds
no WCAG 2.2 AA violation.

BROADSHEET_QUEUE_SCREENSHOTS=<folder> keeps a PNG of each language's queue there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from playwright.sync_api import Browser, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_user, post
from broadsheet.moderation.models import ModerationWord
from tests.browser.test_accessibility_statement import axe_violations, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def translated(language: str, english: str) -> str:
    with translation.override(language):
        text = translation.gettext(english)
    assert text != english, f"not translated into {language}: {english}"
    return text


@pytest.fixture
def moderator(site_structure: Any, settings: Any) -> Any:
    """A moderator, and a comment held by the suspect-word rule waiting in the queue."""
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    article: ArticlePage = make_article(title="Room for the river")
    thread = Thread.objects.create(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )
    ModerationWord.objects.get_or_create(word="shut up", kind=ModerationWord.Kind.SUSPECT)
    post(thread, guest("g1"), "Shut up, all of you.", name="Gabriel")
    max_ = make_user("max", name="Max Brandt", moderator=True)
    max_.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return max_


# How much of each reason box's hint is cut: its text's width in the box's own font,
# beyond the room inside the box (0 when the whole hint shows).
HINT_OVERFLOW = """() => [...document.querySelectorAll('.mod-item__why input')].map((input) => {
    const style = getComputedStyle(input);
    const canvas = document.createElement('canvas').getContext('2d');
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = canvas.measureText(input.placeholder).width;
    const room = input.clientWidth - parseFloat(style.paddingInlineStart)
        - parseFloat(style.paddingInlineEnd);
    return Math.max(0, Math.ceil(text - room));
})"""


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_queue_reads_in_the_language_whole_and_accessible(
    browser: Browser, live_server: Any, moderator: Any, axe_source: str, language: str
) -> None:
    context = signed_in(
        browser,
        live_server,
        moderator,
        bypass_csp=True,
        locale=language,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    response = page.goto(live_server.url + "/admin/moderation/")
    assert response is not None and response.status == 200
    held = page.locator("li.mod-item", has_text="all of you")
    expect(held).to_be_visible()
    hint = translated(language, "optional for approve, reject, spam")
    expect(held.locator(".mod-item__why input")).to_have_attribute("placeholder", hint)
    folder = os.environ.get("BROADSHEET_QUEUE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"queue-{language}-1280.png"), full_page=True)
    assert page.evaluate(HINT_OVERFLOW) == [0]

    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    # The title names the tab as the tabs do, not by its code.
    title = translated(language, "Comments: %(tab)s") % {"tab": translated(language, "Pending")}
    assert page.title().startswith(title), page.title()
    # The rule's reason, stored in English, is shown in the language.
    reason = translated(language, "suspect word: %(word)s") % {"word": "shut up"}
    expect(held.locator(".mod-item__reason")).to_contain_text(reason)

    violations = axe_violations(page, axe_source)
    context.close()
    assert violations == []
