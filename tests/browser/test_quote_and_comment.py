"""The "Quote & comment" control (issue 14, points 7 and 12): it appears only while a
passage of the article is selected, goes away with the selection, exists only on pages
with an article and a comment form, and can be reached and used from the keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article

PARAGRAPH = "5e0f3e1a-7d2b-4c3e-8f4a-2b6c7d8e9f02"
SENTENCE = "Nobody has costed the second dike."

SELECT = """([block, sentence]) => {
    const p = document.querySelector(`[data-block-id="${block}"] p`);
    const text = p.firstChild;
    const start = text.data.indexOf(sentence);
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, start + sentence.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
}"""


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    return make_article(
        title="Room for the river",
        body=[
            {
                "type": "paragraph",
                "id": PARAGRAPH,
                "value": f"<p>Farmers were not consulted. {SENTENCE} The vote is in May.</p>",
            },
        ],
    )


def quote_button(page: Page) -> Any:
    return page.get_by_role("button", name="Quote & comment")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quote_and_comment_shows_only_while_a_passage_is_selected(
    page: Page, live_server: Any, article: ArticlePage
) -> None:
    # Nowhere on a page before anything is selected: not under the footer, not hidden
    # in a corner (a `display` rule used to override `hidden`).
    page.goto(f"{live_server.url}/")
    expect(quote_button(page)).to_have_count(0)
    page.goto(f"{live_server.url}{article.url}")
    expect(quote_button(page)).to_be_hidden()

    # Selecting a sentence of the article shows it just below the selection...
    page.evaluate(SELECT, [PARAGRAPH, SENTENCE])
    expect(quote_button(page)).to_be_visible()

    # ...and clearing the selection takes it away again.
    page.evaluate("() => window.getSelection().removeAllRanges()")
    expect(quote_button(page)).to_be_hidden()

    # Text outside the article body (the discussion heading) never offers it.
    page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector("#discussion-heading"));
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }"""
    )
    expect(quote_button(page)).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quote_and_comment_works_from_the_keyboard(
    page: Page, live_server: Any, article: ArticlePage
) -> None:
    page.goto(f"{live_server.url}{article.url}")
    paragraph = page.locator(f'[data-block-id="{PARAGRAPH}"] p')
    # The reader selects a passage; Tab moves straight to the control, which sits next to
    # the passage in the document (not after the footer).
    paragraph.click()
    page.evaluate(SELECT, [PARAGRAPH, SENTENCE])
    expect(quote_button(page)).to_be_visible()
    page.keyboard.press("Tab")
    expect(quote_button(page)).to_be_focused()
    page.keyboard.press("Enter")
    form = page.locator("#comment-form")
    expect(form.locator(".comment-form__anchor")).to_contain_text(SENTENCE)
    expect(form.get_by_label("Your comment")).to_be_focused()

    # Escape dismisses the control without quoting.
    paragraph.click()
    page.evaluate(SELECT, [PARAGRAPH, SENTENCE])
    expect(quote_button(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(quote_button(page)).to_be_hidden()
