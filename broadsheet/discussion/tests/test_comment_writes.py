"""Posting's statements without the ORM (comment_writes): the rows they leave are the
rows the ORM would have written, and a post costs the same few statements at any depth."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.discussion.actions import NewComment, do_post_comment
from broadsheet.discussion.anchors import Anchor, AnchorTexts
from broadsheet.discussion.badges import known_accounts
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread, path_ids
from broadsheet.discussion.testing import guest, member, post, thread_inconsistencies

pytestmark = pytest.mark.django_db

BLOCK = "0b7c6a2e-1f3d-4c5b-9a8e-7d6f5e4c3b2a"


def _columns(comment: Comment) -> dict[str, Any]:
    return {
        field.attname: getattr(comment, field.attname) for field in Comment._meta.concrete_fields
    }


def test_a_posted_reply_reads_back_column_for_column_as_the_instance_returned(
    thread: Thread, rosa: Any
) -> None:
    root = post(thread, member(rosa), "The root.")
    reply = do_post_comment(
        actor=guest("gabriel-cookie", ip_hash="ip-gabriel"),
        new=NewComment(
            thread=thread,
            body="A reply with **Markdown** and a [link](https://example.org/).",
            parent=root,
            guest_name="  Gabriel  ",
            guest_email="gabriel@example.org",
            guest_website="https://gabriel.example.org/",
        ),
    )
    stored = Comment.objects.get(pk=reply.pk)
    assert _columns(stored) == _columns(reply)
    assert stored.guest_name == "Gabriel"
    assert (stored.parent_id, stored.root_id, stored.depth) == (root.pk, root.pk, 1)
    assert path_ids(stored.path) == [root.pk, reply.pk]
    assert not reply._state.adding


def test_an_account_comment_with_an_anchor_reads_back_as_returned(
    thread: Thread, reader_rosa: Actor
) -> None:
    comment = do_post_comment(
        actor=reader_rosa,
        new=NewComment(
            thread=thread,
            body="About this passage.",
            anchor=Anchor(kind="quote", block_id=BLOCK, quote="met on  Tuesday"),
        ),
        anchor_texts=AnchorTexts({BLOCK: "The council met on Tuesday."}, revision="r7"),
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert _columns(stored) == _columns(comment)
    assert (stored.author_id, stored.anchor_kind, stored.anchor_quote) == (
        reader_rosa.user_id,
        "quote",
        "met on Tuesday",
    )
    assert (stored.anchor_start, stored.anchor_end, stored.anchor_revision) == (12, 26, "r7")


@pytest.mark.parametrize("depth", [1, 6])
def test_a_reply_at_any_depth_costs_the_same_statements_and_keeps_every_count(
    thread: Thread, rosa: Any, depth: int, django_capture_on_commit_callbacks: Any
) -> None:
    parent = post(thread, member(rosa), "Level 0.")
    for level in range(1, depth):
        parent = post(thread, member(rosa), f"Level {level}.", parent=parent)
    gabriel = guest("gabriel-cookie", ip_hash="ip-gabriel")
    known_accounts()  # the team's names (reserved for guests) are read once a minute
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply = post(thread, gabriel, "At the bottom.", parent=parent)
    statements = [q["sql"] for q in queries.captured_queries]
    # Before the write lock: the commenter's sanctions. Under it (the savepoint of the
    # test's transaction stands for BEGIN ... COMMIT): the thread, the parent, the
    # duplicate/flood/word/history look-ups, the insert and its path, the two counters.
    # After commit: whether anyone follows the discussion, the text for mentions, and the
    # committed comment that picks the live event's audience (realtime).
    assert len(statements) == 16, "\n".join(statements)
    thread.refresh_from_db()
    assert thread.comment_count == depth + 1
    assert thread_inconsistencies(thread) == []
    for ancestor in path_ids(reply.path)[:-1]:
        below = Comment.objects.filter(path__startswith=Comment.objects.get(pk=ancestor).path)
        assert Comment.objects.get(pk=ancestor).reply_count == below.count() - 1


def _thread_columns(thread: Thread) -> dict[str, Any]:
    return {field.attname: getattr(thread, field.attname) for field in Thread._meta.concrete_fields}


def test_a_registered_thread_reads_back_column_for_column_as_the_orm_writes_one() -> None:
    from broadsheet.discussion.actions import do_register_thread

    registered = do_register_thread(key="embed-page-9", title="Page nine", url="/nine/")
    by_orm = Thread.objects.create(key="embed-page-10", title="Page nine", url="/nine/")
    stored = Thread.objects.get(pk=registered.pk)
    assert _thread_columns(stored) == _thread_columns(registered)
    assert not registered._state.adding
    mine, theirs = _thread_columns(stored), _thread_columns(by_orm)
    for differing in ("id", "key", "created_at"):
        mine.pop(differing), theirs.pop(differing)
    assert mine == theirs
    assert stored.created_at is not None and stored.created_at.tzinfo is not None
    again = do_register_thread(key="embed-page-9", title="Page nine", url="/nine/")
    assert again.pk == registered.pk
