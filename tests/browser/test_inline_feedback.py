"""Inline feedback in a real browser: a reader opens a feedback point's discussion beside
the passage, posts there, finds the comment under "Inline feedbacks", then quotes a
sentence of the article and follows the quote back to the highlighted sentence."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.actions import NewComment, do_post_comment, do_register_thread
from broadsheet.discussion.anchors import Anchor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_user, member

POINT = "0b7c4c59-2a8e-4a51-9d69-1f1e0d3c1a01"
PARAGRAPH = "5e0f3e1a-7d2b-4c3e-8f4a-2b6c7d8e9f02"
SENTENCE = "Nobody has costed the second dike."


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 0
    return make_article(
        title="Room for the river",
        body=[
            {
                "type": "feedback",
                "id": POINT,
                "value": {
                    "text": "<p>The council will raise the dikes by two metres.</p>",
                    "question": "Is two metres enough?",
                },
            },
            {
                "type": "paragraph",
                "id": PARAGRAPH,
                "value": f"<p>Farmers were not consulted. {SENTENCE} The vote is in May.</p>",
            },
        ],
    )


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    return do_register_thread(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


def fill_guest(form: Any, text: str) -> None:
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill(text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_discusses_a_passage_and_quotes_a_sentence(
    page: Page, live_server: Any, article: ArticlePage, thread: Thread
) -> None:
    rosa = member(make_user("rosa", name="Rosa Lindqvist"))
    do_post_comment(
        actor=rosa,
        new=NewComment(
            thread=thread,
            body="Two metres is what the 1953 flood would need.",
            anchor=Anchor(kind="point", block_id=POINT),
        ),
    )
    page.goto(f"{live_server.url}{article.url}")

    # The marker is a button that says what it is and how many comments the passage has.
    marker = page.get_by_role("button", name="Discuss this passage: 1 comment")
    expect(marker).to_have_attribute("aria-expanded", "false")
    expect(marker).to_have_attribute("aria-controls", f"inline-panel-{POINT}")
    marker.click()
    expect(marker).to_have_attribute("aria-expanded", "true")
    panel = page.locator(f"#inline-panel-{POINT}")
    expect(panel).to_be_focused()
    expect(panel.get_by_role("heading", name="Is two metres enough?")).to_be_visible()
    expect(panel.locator("article.comment")).to_have_count(1)

    # Gabriel posts on the passage: the panel reloads with his comment and the new count.
    form = panel.locator(f"#passage-form-{POINT}")
    fill_guest(form, "Three metres, or we do this again in 2040.")
    form.get_by_role("button", name="Post comment").click()
    expect(panel.locator("article.comment", has_text="Three metres")).to_be_visible()
    marker = page.get_by_role("button", name="Discuss this passage: 2 comments")
    expect(marker).to_be_visible()
    expect(page.locator("#discussion-count")).to_have_text("2")

    # Escape closes the panel and gives focus back to the marker.
    panel.locator("textarea").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(marker).to_be_focused()

    # "Inline feedbacks" lists it with the passage it is about, linked back.
    page.get_by_role("link", name="Inline feedbacks").click()
    listed = page.locator("#discussion article.comment", has_text="Three metres")
    expect(listed.locator(".comment__quote")).to_contain_text("raise the dikes by two metres")
    expect(listed.locator(".comment__quote a")).to_have_attribute("href", f"#block-{POINT}")

    # He selects a sentence of the article and chooses "Quote & comment".
    page.evaluate(
        """([block, sentence]) => {
            const p = document.querySelector(`[data-block-id="${block}"] p`);
            const text = p.firstChild;
            const start = text.data.indexOf(sentence);
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + sentence.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [PARAGRAPH, SENTENCE],
    )
    page.get_by_role("button", name="Quote & comment").click()
    main_form = page.locator("#comment-form")
    expect(main_form.locator(".comment-form__anchor")).to_contain_text(SENTENCE)
    expect(main_form.get_by_label("Your comment")).to_be_focused()
    fill_guest(main_form, "Then the vote should wait.")
    main_form.get_by_role("button", name="Post comment").click()
    quoted = page.locator("#discussion article.comment", has_text="Then the vote should wait.")
    expect(quoted.locator(".comment__quote")).to_have_text(SENTENCE)

    stored = Comment.objects.get(body_source="Then the vote should wait.")
    assert (stored.anchor_kind, stored.anchor_block_id) == ("quote", PARAGRAPH)
    assert (stored.anchor_start, stored.anchor_end) == (28, 28 + len(SENTENCE))

    # Following the quote back highlights the sentence in the article.
    quoted.locator(".comment__quote a").click()
    mark = page.locator(f"mark#quote-{stored.pk}")
    expect(mark).to_have_text(SENTENCE)
    expect(mark).to_be_in_viewport()
