"""Inline feedback on articles: feedback points in the body, comments anchored to them and
to quoted sentences, surviving new revisions of the article (or showing as outdated).

The article is the host: `discussion_policy.anchor_texts` gives the engine the live
body's plain text per block. The page cache is cleared before each anonymous GET, since
ordinary (non-transactional) tests never run the after-commit purges.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.articles.discussion_policy import anchor_texts
from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion.actions import NewComment, do_post_comment, do_register_thread
from broadsheet.discussion.anchors import Anchor, parse_anchor
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import signed_reader_cookie

pytestmark = pytest.mark.django_db

POINT = "0b7c4c59-2a8e-4a51-9d69-1f1e0d3c1a01"
OTHER_POINT = "0b7c4c59-2a8e-4a51-9d69-1f1e0d3c1a02"
PARAGRAPH = "5e0f3e1a-7d2b-4c3e-8f4a-2b6c7d8e9f02"
SENTENCE = "Nobody has costed the second dike."
PASSAGE_HTML = (
    "<p>The council will <b>raise</b> the dikes by two metres.</p><p>" + SENTENCE + "</p>"
)
OUTDATED = "About an earlier version of the text"
_asked = itertools.count(1)


def body(passage: str = PASSAGE_HTML, *, with_paragraph: bool = True) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "feedback",
            "id": POINT,
            "value": {"text": passage, "question": "Is two metres enough?"},
        },
        {
            "type": "feedback",
            "id": OTHER_POINT,
            "value": {"text": "<p>The river park opens in 2031.</p>", "question": "Too late?"},
        },
    ]
    if with_paragraph:
        blocks.append(
            {
                "type": "paragraph",
                "id": PARAGRAPH,
                "value": "<p>Farmers on the east bank were not consulted.</p>",
            }
        )
    return blocks


@pytest.fixture
def article(settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    return make_article(title="Room for the river", body=body())


@pytest.fixture
def thread(article: ArticlePage) -> Thread:
    return do_register_thread(
        key=f"article-{article.pk}", title=article.title, url=article.url or ""
    )


def on_point(
    thread: Thread, actor: Actor, block: str = POINT, text: str = "Not enough."
) -> Comment:
    return do_post_comment(
        actor=actor,
        new=NewComment(thread=thread, body=text, anchor=Anchor(kind="point", block_id=block)),
    )


def quoting(thread: Thread, actor: Actor, quote: str = SENTENCE, block: str = POINT) -> Comment:
    return do_post_comment(
        actor=actor,
        new=NewComment(
            thread=thread,
            body=f"Then who pays? (asked {next(_asked)} times)",
            anchor=parse_anchor(kind="quote", block_id=block, quote=quote),
        ),
    )


def publish_body(article: ArticlePage, blocks: list[dict[str, Any]]) -> None:
    page = ArticlePage.objects.get(pk=article.pk)
    page.body = blocks  # type: ignore[assignment]
    page.save_revision().publish()


def fresh_get(client: Client, url: str) -> str:
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- the host's passages ----------------------------------------------------------------------


def test_the_host_gives_each_block_as_plain_text_and_names_the_feedback_points(
    article: ArticlePage, thread: Thread
) -> None:
    texts = anchor_texts(thread)
    assert texts[POINT] == (f"The council will raise the dikes by two metres.{SENTENCE}")
    assert texts[PARAGRAPH] == "Farmers on the east bank were not consulted."
    assert texts.points == {POINT: "Is two metres enough?", OTHER_POINT: "Too late?"}
    assert texts.revision == str(ArticlePage.objects.get(pk=article.pk).live_revision_id)
    with CaptureQueriesContext(connection) as queries:
        anchor_texts(thread)
    assert len(queries) == 1  # the live revision id; the text is cached per revision


def test_a_comment_on_a_point_records_the_passage_and_the_revision(
    article: ArticlePage, thread: Thread, reader_rosa: Actor
) -> None:
    comment = on_point(thread, reader_rosa)
    comment.refresh_from_db()
    assert comment.anchor_quote.startswith("The council will raise the dikes")
    assert comment.anchor_revision == str(ArticlePage.objects.get(pk=article.pk).live_revision_id)


def test_only_feedback_passages_are_points_but_any_block_can_be_quoted(
    thread: Thread, reader_rosa: Actor
) -> None:
    with pytest.raises(Exception, match="not open for feedback"):
        on_point(thread, reader_rosa, block=PARAGRAPH)
    assert quoting(thread, reader_rosa, "east bank", PARAGRAPH).anchor_start == 15


# --- across revisions -----------------------------------------------------------------------


def test_anchored_comments_survive_a_new_revision_that_edits_the_passage(
    client: Client, article: ArticlePage, thread: Thread, reader_rosa: Actor
) -> None:
    on_point(thread, reader_rosa, text="Two metres is not enough.")
    quoting(thread, reader_rosa)
    html = fresh_get(client, f"{article.url}?view=inline")
    assert OUTDATED not in html

    publish_body(article, body("<p>The council will raise the dikes by three metres.</p>"))

    html = fresh_get(client, f"{article.url}?view=inline")
    assert "Two metres is not enough." in html and "Then who pays?" in html
    assert html.count(OUTDATED) == 2
    assert SENTENCE in html  # the original quote is still shown
    assert Comment.objects.filter(thread=thread).count() == 2


def test_anchored_comments_survive_the_passage_being_deleted(
    client: Client, article: ArticlePage, thread: Thread, reader_rosa: Actor
) -> None:
    quoting(thread, reader_rosa, "east bank", PARAGRAPH)
    on_point(thread, reader_rosa, block=OTHER_POINT)
    publish_body(article, body(with_paragraph=False))
    html = fresh_get(client, f"{article.url}?view=inline")
    assert html.count(OUTDATED) == 1  # the quote of the deleted paragraph only
    assert "east bank" in html


def test_an_unchanged_passage_stays_current_across_unrelated_edits(
    client: Client, article: ArticlePage, thread: Thread, reader_rosa: Actor
) -> None:
    quoting(thread, reader_rosa)
    publish_body(article, body(with_paragraph=False))
    assert OUTDATED not in fresh_get(client, f"{article.url}?view=inline")


# --- counts and the page without JavaScript ------------------------------------------------------


def test_markers_count_each_points_comments_and_the_article_count_includes_them(
    client: Client, article: ArticlePage, thread: Thread, reader_rosa: Actor
) -> None:
    on_point(thread, reader_rosa)
    on_point(thread, reader_rosa)
    quoting(thread, reader_rosa)
    do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="On the whole piece."))
    html = fresh_get(client, article.url or "")
    assert 'aria-label="Discuss this passage: 3 comments"' in html
    assert 'aria-label="Discuss this passage: 0 comments"' in html
    assert '<span id="discussion-count">4</span> Comments' in html


def test_the_marker_is_a_link_to_the_form_with_the_passage_preselected(
    client: Client, article: ArticlePage, thread: Thread
) -> None:
    html = fresh_get(client, article.url or "")
    assert f'id="block-{POINT}" data-feedback-point="{POINT}"' in html
    assert f'href="?anchor={POINT}#comment-form"' in html
    assert f'data-block-id="{PARAGRAPH}"' in html
    form = fresh_get(client, f"{article.url}?anchor={POINT}")
    assert "Your comment is about this passage" in form
    assert f'<input type="hidden" name="anchor_block_id" value="{POINT}">' in form
    assert "The council will raise the dikes by two metres." in form


def test_markers_cost_the_same_queries_however_many_points_and_comments(
    client: Client, article: ArticlePage, thread: Thread, reader_rosa: Actor
) -> None:
    # A reader the page cache does not serve, so every GET renders.
    client.cookies[READER_COOKIE] = signed_reader_cookie("reader-ines")
    url = article.url or ""
    on_point(thread, reader_rosa)
    quoting(thread, reader_rosa)
    client.get(url)  # the article's text is cached per revision from here on
    with CaptureQueriesContext(connection) as few:
        assert 'aria-label="Discuss this passage: 2 comments"' in client.get(url).content.decode()
    for n in range(5):
        on_point(thread, reader_rosa, text=f"Point {n}.")
        on_point(thread, reader_rosa, block=OTHER_POINT, text=f"Other {n}.")
        quoting(thread, reader_rosa)
    with CaptureQueriesContext(connection) as many:
        assert 'aria-label="Discuss this passage: 12 comments"' in client.get(url).content.decode()
    assert len(many) == len(few)


# --- the API --------------------------------------------------------------------------------


def api_post(client: Client, thread: Thread, **fields: Any) -> Any:
    payload = {"body": "From the app.", "name": "Gabriel", "email": "g@example.org", **fields}
    return client.post(
        f"/api/v1/threads/{thread.key}/comments",
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_the_api_takes_and_gives_the_anchor_fields(
    client: Client, article: ArticlePage, thread: Thread
) -> None:
    created = api_post(
        client, thread, anchor_kind="quote", anchor_block_id=POINT, anchor_quote=SENTENCE
    )
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["anchor_kind"] == "quote"
    assert out["anchor_block_id"] == POINT
    assert out["anchor_quote"] == SENTENCE
    assert (out["anchor_start"], out["anchor_end"]) == (47, 47 + len(SENTENCE))
    assert out["anchor_outdated"] is False

    publish_body(article, body("<p>Rewritten.</p>"))
    cache.clear()
    listed = client.get(f"/api/v1/threads/{thread.key}/comments").json()["comments"][0]
    assert (listed["anchor_kind"], listed["anchor_outdated"]) == ("quote", True)
    one = client.get(f"/api/v1/comments/{out['id']}").json()
    assert one["anchor_outdated"] is True
    plain = api_post(client, thread, body="On the whole piece.").json()
    assert plain["anchor_kind"] == "" and plain["anchor_block_id"] is None


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"anchor_kind": "quote", "anchor_block_id": POINT, "anchor_quote": "Not there."}, 400),
        ({"anchor_kind": "point", "anchor_block_id": PARAGRAPH}, 400),
        ({"anchor_kind": "quote", "anchor_block_id": "x", "anchor_quote": SENTENCE}, 400),
        ({"anchor_kind": "margin", "anchor_block_id": POINT}, 422),
        ({"anchor_kind": "quote", "anchor_block_id": POINT, "anchor_start": -1}, 422),
    ],
)
def test_the_api_refuses_bad_anchors_in_the_error_shape(
    client: Client, thread: Thread, fields: dict[str, Any], status: int
) -> None:
    response = api_post(client, thread, **fields)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"]
    if status == 400:
        assert error["field"] == "anchor"
    assert not Comment.objects.exists()


def test_the_api_schema_documents_the_anchor_fields_and_error_answers(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"anchor_kind", "anchor_block_id", "anchor_quote", "anchor_start", "anchor_end"} <= set(
        components["CommentIn"]["properties"]
    )
    assert "anchor_outdated" in components["CommentOut"]["properties"]
    post = schema["paths"]["/api/v1/threads/{key}/comments"]["post"]["responses"]
    assert {"400", "422"} <= set(post)


def test_a_kept_page_shows_each_passages_count_as_it_is_now(
    article: ArticlePage, thread: Thread, reader_rosa: Actor, without_page_cache: None
) -> None:
    from broadsheet.core.kept_markup import kept_parts

    kept_parts.clear()
    reader = reader_rosa
    on_point(thread, reader)
    before = Client().get(article.url).content.decode()
    assert 'aria-label="Discuss this passage: 1 comment"' in before and len(kept_parts) == 1
    on_point(thread, reader, text="Still not enough.")
    on_point(thread, reader, block=OTHER_POINT)
    after = Client().get(article.url).content.decode()
    # The body came from the kept page; its passages' counts are this request's.
    assert len(kept_parts) == 1
    assert 'aria-label="Discuss this passage: 2 comments"' in after
    assert 'aria-label="Discuss this passage: 1 comment"' in after
    assert "The council will <b>raise</b> the dikes" in after
    kept_parts.clear()
