"""The comment fragment cache (discussion.rendering): readers never see each other's state
through it, and every change shows at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from broadsheet.core.clients import READER_COOKIE
from broadsheet.core.lru import BoundedLRU, deep_size
from broadsheet.discussion.actions import (
    do_cast_vote,
    do_delete_comment,
    do_edit_comment,
    do_feature_comment,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.rendering import _CSRF_MARKER, comment_fragments
from broadsheet.discussion.testing import guest, post, signed_reader_cookie
from broadsheet.moderation.actions import do_reject_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cold_fragment_cache() -> Iterator[None]:
    """Each test starts cold and leaves nothing behind for the next."""
    comment_fragments.clear()
    yield
    comment_fragments.clear()


def page_of(thread: Thread, client: Client | None = None) -> str:
    response = (client or Client()).get(f"/discussion/t/{thread.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def article_of(html: str, comment: Comment) -> str:
    start = html.index(f'<article id="comment-{comment.pk}"')
    return html[start : html.index("</article>", start)]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reader(reader_id: str) -> Client:
    client = Client()
    client.cookies[READER_COOKIE] = signed_reader_cookie(reader_id)
    return client


def test_a_readers_vote_and_edit_link_never_reach_another_reader(
    thread: Thread, reader_rosa: Actor, rosa: Any
) -> None:
    gabriels = post(thread, guest("gabriel"), "Gabriel's")
    rosas = post(thread, reader_rosa, "Rosa's")
    do_cast_vote(comment=gabriels, actor=reader_rosa, value=1)
    rosa_sees = page_of(thread, signed_in(rosa))  # fills the cache with Rosa's view
    assert 'aria-pressed="true"' in article_of(rosa_sees, gabriels)
    assert ">Edit</a>" in article_of(rosa_sees, rosas)
    assert len(comment_fragments) == 2

    for other in (page_of(thread), page_of(thread, reader("bob"))):
        assert 'aria-pressed="true"' not in other
        assert ">Edit</a>" not in other and ">Delete</a>" not in other
        assert "comment__report" in article_of(other, rosas)
        assert "Upvote" in article_of(other, rosas)
    # And back: Rosa still sees her own state after the others filled the cache.
    again = page_of(thread, signed_in(rosa))
    assert 'aria-pressed="true"' in article_of(again, gabriels)
    assert ">Edit</a>" in article_of(again, rosas)


def test_a_guests_own_comment_is_theirs_alone(thread: Thread, guest_gabriel: Actor) -> None:
    comment = post(thread, guest_gabriel)
    assert ">Edit</a>" in article_of(page_of(thread, reader("gabriel-cookie")), comment)
    assert ">Edit</a>" not in article_of(page_of(thread, reader("someone-else")), comment)
    assert ">Edit</a>" in article_of(page_of(thread, reader("gabriel-cookie")), comment)


def test_each_request_gets_its_own_csrf_token(thread: Thread, reader_rosa: Actor) -> None:
    post(thread, reader_rosa)
    tokens = []
    for _ in range(2):
        client = Client()
        html = page_of(thread, client)
        assert _CSRF_MARKER not in html
        vote_form = html[html.index('<form class="comment__vote"') :]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', vote_form)
        assert found is not None
        tokens.append(found.group(1))
    assert tokens[0] != tokens[1]


def test_an_edit_shows_at_once(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa, "First thoughts.")
    assert "First thoughts." in page_of(thread)
    do_edit_comment(comment=comment, actor=reader_rosa, body="Second thoughts.")
    html = article_of(page_of(thread), comment)
    assert "Second thoughts." in html and "First thoughts." not in html
    assert 'class="comment__edited"' in html


def test_a_vote_shows_at_once(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    assert "<span data-score>0</span>" in article_of(page_of(thread), comment)
    do_cast_vote(comment=comment, actor=guest("voter"), value=1)
    assert "<span data-score>1</span>" in article_of(page_of(thread), comment)


def test_a_deletion_shows_at_once(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa, "The root.")
    post(thread, guest("g"), "A reply.", parent=root)
    assert "The root." in page_of(thread)
    do_delete_comment(comment=root, actor=reader_rosa)
    html = article_of(page_of(thread), root)
    assert "The root." not in html and "[deleted]" in html


def test_moderation_decisions_show_at_once(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor
) -> None:
    picked = post(thread, reader_rosa, "Worth featuring.")
    refused = post(thread, reader_rosa, "Over the line.")
    html = page_of(thread)
    assert "Featured</span>" not in html and "Over the line." in html
    do_feature_comment(comment=picked, actor=moderator_max, reason="a fine answer")
    do_reject_comment(comment=refused, actor=moderator_max)
    html = page_of(thread)
    assert '<span class="comment__badge">Featured</span>' in article_of(html, picked)
    assert "Over the line." not in html


def test_the_cache_is_bounded() -> None:
    one = deep_size(0) + deep_size(("<article>0</article>",))
    cache: BoundedLRU[int, tuple[str, ...]] = BoundedLRU(3 * one)
    for n in range(5):
        cache.put(n, (f"<article>{n}</article>",))
    assert len(cache) == 3 and cache.bytes <= 3 * one
    assert cache.get(0) is None and cache.get(4) == ("<article>4</article>",)
