"""Inline feedback in the engine: comments anchored to a host's passages, validated
against the host's current text, and shown as outdated once that text changes.

The host here is a stand-in callable (the engine never imports articles); the article
host itself is tested in broadsheet/articles/tests/test_inline_feedback.py.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.core.errors import ActionError
from broadsheet.discussion.actions import NewComment, do_post_comment
from broadsheet.discussion.anchors import (
    Anchor,
    AnchorTexts,
    anchored_comments,
    check_anchor,
    is_outdated,
    parse_anchor,
    point_counts,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread

POINT = "0b7c4c59-2a8e-4a51-9d69-1f1e0d3c1a01"
PARAGRAPH = "5e0f3e1a-7d2b-4c3e-8f4a-2b6c7d8e9f02"
PASSAGE = "The council will  raise the dikes by two metres.\nCosts are not yet known."
SENTENCE = "Costs are not yet known."

# What the stand-in host says its page reads now; tests change it to "edit the article".
HOST: dict[str, Any] = {}
_asked = itertools.count(1)


def stand_in_host(thread: Thread) -> AnchorTexts:
    HOST["calls"] = HOST.get("calls", 0) + 1
    return AnchorTexts(
        HOST["texts"], points={POINT: "Is this the right plan?"}, revision=HOST["revision"]
    )


@pytest.fixture(autouse=True)
def host(settings: Any) -> dict[str, Any]:
    settings.BROADSHEET_DISCUSSION_ANCHOR_TEXT = f"{__name__}.stand_in_host"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    HOST.clear()
    HOST.update(
        texts={POINT: PASSAGE, PARAGRAPH: "An ordinary paragraph about the river."},
        revision="41",
    )
    return HOST


def on_point(thread: Thread, actor: Actor, body: str = "Two metres is not enough.") -> Comment:
    return do_post_comment(
        actor=actor,
        new=NewComment(thread=thread, body=body, anchor=Anchor(kind="point", block_id=POINT)),
    )


def quoting(thread: Thread, actor: Actor, quote: str = SENTENCE, **where: Any) -> Comment:
    return do_post_comment(
        actor=actor,
        new=NewComment(
            thread=thread,
            body=f"Then why vote on it now? ({next(_asked)})",
            anchor=parse_anchor(
                kind="quote", block_id=where.pop("block", POINT), quote=quote, **where
            ),
        ),
    )


# --- posting -------------------------------------------------------------------------------


def test_a_comment_on_a_feedback_point_keeps_the_passage_as_it_read(
    thread: Thread, reader_rosa: Actor
) -> None:
    comment = on_point(thread, reader_rosa)
    comment.refresh_from_db()
    assert (comment.anchor_kind, comment.anchor_block_id) == ("point", POINT)
    assert comment.anchor_quote == (
        "The council will raise the dikes by two metres. Costs are not yet known."
    )
    assert comment.anchor_revision == "41"
    assert (comment.anchor_start, comment.anchor_end) == (None, None)
    thread.refresh_from_db()
    assert thread.comment_count == 1  # an ordinary comment of the thread


def test_a_quote_keeps_its_block_and_offsets_in_the_normalised_text(
    thread: Thread, reader_rosa: Actor
) -> None:
    comment = quoting(thread, reader_rosa, start=48, end=72)
    assert (comment.anchor_kind, comment.anchor_quote) == ("quote", SENTENCE)
    assert (comment.anchor_start, comment.anchor_end) == (48, 72)


def test_wrong_or_missing_offsets_are_corrected_to_where_the_quote_is(
    thread: Thread, reader_rosa: Actor
) -> None:
    assert (quoting(thread, reader_rosa, start=0, end=24).anchor_start, 48) == (48, 48)
    assert quoting(thread, reader_rosa).anchor_end == 72


@pytest.mark.parametrize(
    ("anchor", "message"),
    [
        (Anchor(kind="margin", block_id=POINT), "Unknown kind"),
        (Anchor(kind="quote", block_id="not-a-uuid", quote="x"), "not valid"),
        (Anchor(kind="quote", block_id=POINT, quote="x" * 1001), "at most 1,000"),
        (Anchor(kind="quote", block_id=POINT, quote=SENTENCE, start=5, end=2), "position"),
        (Anchor(kind="quote", block_id=POINT, quote=SENTENCE, start=5), "position"),
        (Anchor(kind="quote", block_id=POINT, quote="   "), "select the sentence"),
        (Anchor(kind="quote", block_id=POINT, quote="Costs are known."), "no longer in the text"),
        (Anchor(kind="point", block_id=PARAGRAPH), "not open for feedback"),
        (Anchor(kind="point", block_id=POINT, start=1, end=3), "no position"),
        (Anchor(kind="quote", block_id=POINT.replace("0b", "0c"), quote="x"), "no longer on"),
        (Anchor(kind="", block_id=POINT), "which kind"),
    ],
)
def test_anchors_are_checked_against_the_hosts_current_text(
    thread: Thread, reader_rosa: Actor, anchor: Anchor, message: str
) -> None:
    with pytest.raises(ActionError, match=message) as refused:
        do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="Hm.", anchor=anchor))
    assert refused.value.field == "anchor"
    assert not Comment.objects.exists()


def test_a_reply_cannot_be_anchored(thread: Thread, reader_rosa: Actor) -> None:
    root = on_point(thread, reader_rosa)
    with pytest.raises(ActionError, match="reply is about its comment"):
        do_post_comment(
            actor=reader_rosa,
            new=NewComment(
                thread=thread,
                body="Indeed.",
                parent=root,
                anchor=Anchor(kind="point", block_id=POINT),
            ),
        )


def test_without_a_host_nothing_can_be_anchored_and_nothing_is_outdated(
    settings: Any, thread: Thread, reader_rosa: Actor
) -> None:
    settings.BROADSHEET_DISCUSSION_ANCHOR_TEXT = None
    with pytest.raises(ActionError, match="no longer on the page"):
        on_point(thread, reader_rosa)
    assert not is_outdated("quote", POINT, SENTENCE, None)


def test_malformed_offsets_are_refused_when_parsed() -> None:
    with pytest.raises(ActionError) as refused:
        parse_anchor(kind="quote", block_id=POINT, quote=SENTENCE, start="abc", end="3")
    assert refused.value.field == "anchor"
    with pytest.raises(ActionError):
        parse_anchor(kind="quote", block_id=POINT, quote=SENTENCE, start="-1", end="3")


def test_a_quote_across_two_paragraphs_matches_whatever_the_whitespace() -> None:
    texts = AnchorTexts({POINT: "End of one.Start of two."})
    anchor = check_anchor(
        anchor=Anchor(kind="quote", block_id=POINT, quote="one.\n\nStart"), texts=texts
    )
    assert anchor.quote == "one. Start"
    assert (anchor.start, anchor.end) == (None, None)


# --- reading -------------------------------------------------------------------------------


def test_counts_per_point_count_visible_comments_on_each_passage(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    on_point(thread, reader_rosa)
    quoting(thread, reader_rosa)
    quoting(thread, reader_rosa, quote="ordinary paragraph", block=PARAGRAPH)
    do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="On the whole article."))
    assert point_counts(thread) == {POINT: 2, PARAGRAPH: 1}
    thread.refresh_from_db()
    assert thread.comment_count == 4
    page = anchored_comments(thread, block_id=POINT)
    assert [c.anchor_kind for c in page.roots] == ["quote", "point"]


def test_a_changed_passage_leaves_its_comments_marked_outdated(
    client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    on_point(thread, reader_rosa)
    quoting(thread, reader_rosa)
    html = client.get(thread.get_absolute_url() + "?view=inline").content.decode()
    assert html.count("About an earlier version of the text") == 0
    HOST["texts"] = {POINT: "The council will raise the dikes by three metres."}
    html = client.get(thread.get_absolute_url() + "?view=inline").content.decode()
    # Both are still listed: the edited point and the sentence that was cut.
    assert html.count("About an earlier version of the text") == 2
    assert "Costs are not yet known." in html
    HOST["texts"] = {}
    html = client.get(thread.get_absolute_url()).content.decode()
    assert html.count("About an earlier version of the text") == 2


def test_the_inline_view_lists_only_comments_on_passages_with_links_back(
    client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    point = on_point(thread, reader_rosa)
    quote = quoting(thread, reader_rosa)
    do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="About the whole page."))
    html = client.get(thread.get_absolute_url() + "?view=inline").content.decode()
    assert "About the whole page." not in html
    assert f'href="#block-{POINT}"' in html
    assert f'href="#quote-{quote.pk}"' in html
    assert f'id="comment-{point.pk}"' in html
    assert '<a href="?view=inline#discussion" aria-current="true">Inline feedbacks</a>' in html


def test_the_host_is_asked_once_per_page_and_only_when_needed(
    client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="No passage."))
    HOST["calls"] = 0
    client.get(thread.get_absolute_url())
    assert HOST["calls"] == 0
    for n in range(3):
        on_point(thread, reader_rosa, body=f"Point {n}.")
    HOST["calls"] = 0
    with CaptureQueriesContext(connection) as queries:
        client.get(thread.get_absolute_url() + "?view=inline")
    assert HOST["calls"] == 1
    many = len(queries)
    for _ in range(5):
        quoting(thread, reader_rosa)
    with CaptureQueriesContext(connection) as queries:
        client.get(thread.get_absolute_url() + "?view=inline")
    assert len(queries) == many


def test_the_passage_panel_without_javascript_leads_to_the_preselected_form(
    client: Client, thread: Thread
) -> None:
    response = client.get(f"/discussion/t/{thread.pk}/passage/{POINT}/")
    assert response.status_code == 302
    assert response["Location"] == f"{thread.url}?anchor={POINT}#comment-form"
    html = client.get(f"{thread.get_absolute_url()}?anchor={POINT}").content.decode()
    assert "Your comment is about this passage" in html
    assert '<input type="hidden" name="anchor_kind" value="point">' in html
    assert f'<input type="hidden" name="anchor_block_id" value="{POINT}">' in html
    # An ordinary paragraph is not a feedback point: nothing preselected.
    html = client.get(f"{thread.get_absolute_url()}?anchor={PARAGRAPH}").content.decode()
    assert "anchor_kind" not in html


def test_the_passage_panel_shows_its_comments_and_a_form(
    client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    on_point(thread, reader_rosa, body="Two metres is not enough.")
    do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="Elsewhere."))
    response = client.get(f"/discussion/t/{thread.pk}/passage/{POINT}/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Is this the right plan?" in html
    assert 'data-inline-count="1"' in html
    assert "Two metres is not enough." in html and "Elsewhere." not in html
    assert f'id="passage-form-{POINT}"' in html
    not_a_point = client.get(
        f"/discussion/t/{thread.pk}/passage/{PARAGRAPH}/", HTTP_HX_REQUEST="true"
    )
    assert not_a_point.status_code == 404


def test_posting_on_a_passage_without_javascript(client: Client, thread: Thread) -> None:
    response = client.post(
        f"/discussion/t/{thread.pk}/post/",
        {
            "body": "Who pays?",
            "name": "Gabriel",
            "email": "gabriel@example.org",
            "anchor_kind": "quote",
            "anchor_block_id": POINT,
            "anchor_quote": SENTENCE,
            "anchor_start": "48",
            "anchor_end": "72",
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.anchor_kind, comment.anchor_quote, comment.anchor_start) == (
        "quote",
        SENTENCE,
        48,
    )
    refused = client.post(
        f"/discussion/t/{thread.pk}/post/",
        {
            "body": "Who pays?",
            "name": "Gabriel",
            "email": "gabriel@example.org",
            "anchor_kind": "quote",
            "anchor_block_id": POINT,
            "anchor_quote": "Not in the text at all.",
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "That sentence is no longer in the text" in html
    assert "Who pays?" in html  # the reader's text is kept
