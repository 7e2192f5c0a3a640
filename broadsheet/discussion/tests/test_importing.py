"""do_import_comments stores what posting, deleting and voting would have stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from broadsheet.core.errors import ActionError
from broadsheet.discussion.actions import (
    ImportedComment,
    do_cast_vote,
    do_import_comments,
)
from broadsheet.discussion.events import CommentsImported, subscribe, unsubscribe
from broadsheet.discussion.models import PATH_MAX_SEGMENTS, Comment, CommentVote
from broadsheet.discussion.testing import (
    make_thread,
    make_user,
    member,
    post,
    thread_inconsistencies,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2019, 5, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_tree_listed_replies_first_lands_in_tree_order_with_exact_counters() -> None:
    thread = make_thread()
    items = [
        ImportedComment(ref="c", parent_ref="b", created_at=at(3), body_source="third"),
        ImportedComment(ref="b", parent_ref="a", created_at=at(2), body_source="second"),
        ImportedComment(ref="a", created_at=at(1), body_source="**first**", upvotes=3, downvotes=1),
        ImportedComment(
            ref="d", parent_ref="a", created_at=at(4), body_source="x", status=Comment.Status.SPAM
        ),
        ImportedComment(
            ref="e",
            parent_ref="a",
            created_at=at(5),
            body_source="y",
            status=Comment.Status.DELETED,
        ),
    ]
    created = do_import_comments(thread=thread, comments=items)
    a, b, c = created["a"], created["b"], created["c"]
    assert (b.parent_id, b.root_id, b.depth) == (a.pk, a.pk, 1)
    assert (c.parent_id, c.root_id, c.depth) == (b.pk, a.pk, 2)
    assert Comment.objects.get(pk=a.pk).reply_count == 2
    assert Comment.objects.get(pk=a.pk).body_html == '<p dir="auto"><strong>first</strong></p>'
    assert Comment.objects.get(pk=created["e"].pk).body_source == ""
    assert (
        Comment.objects.get(pk=a.pk).score,
        CommentVote.objects.filter(comment_id=a.pk).count(),
    ) == (
        2,
        4,
    )
    thread.refresh_from_db()
    assert thread.comment_count == 3
    assert thread.last_comment_at == at(5)
    assert thread_inconsistencies(thread) == []


def test_replies_to_comments_already_here_count_up_their_ancestors() -> None:
    thread = make_thread()
    rosa = member(make_user(name="Rosa Lindqvist"))
    top = post(thread, rosa, "Here first")
    reply = post(thread, rosa, "Me again", parent=top)
    items = [
        ImportedComment(ref="1", parent_id=reply.pk, created_at=at(1), body_source="old reply"),
        ImportedComment(ref="2", parent_ref="1", created_at=at(2), body_source="and another"),
    ]
    created = do_import_comments(thread=thread, comments=items)
    assert created["1"].root_id == top.pk
    assert Comment.objects.get(pk=top.pk).reply_count == 3
    assert Comment.objects.get(pk=reply.pk).reply_count == 2
    assert Comment.objects.get(pk=top.pk).body_source == "Here first"
    assert thread_inconsistencies(thread) == []
    # What readers do afterwards keeps working on the imported rows.
    do_cast_vote(comment=Comment.objects.get(pk=created["2"].pk), actor=rosa, value=1)
    assert thread_inconsistencies(thread) == []


def test_a_chain_deeper_than_the_path_continues_beside_its_parent() -> None:
    thread = make_thread()
    items = [
        ImportedComment(
            ref=str(n),
            parent_ref=str(n - 1) if n else None,
            created_at=at(n),
            body_source=f"level {n}",
        )
        for n in range(PATH_MAX_SEGMENTS + 3)
    ]
    do_import_comments(thread=thread, comments=items)
    assert thread_inconsistencies(thread) == []
    assert max(Comment.objects.filter(thread=thread).values_list("depth", flat=True)) == (
        PATH_MAX_SEGMENTS - 1
    )


def test_one_event_after_commit_for_the_whole_import(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    heard: list[object] = []
    subscribe(heard.append)
    try:
        thread = make_thread()
        with django_capture_on_commit_callbacks(execute=True):
            do_import_comments(
                thread=thread,
                comments=[
                    ImportedComment(ref=str(n), created_at=at(n), body_source="hi")
                    for n in range(3)
                ],
            )
    finally:
        unsubscribe(heard.append)
    assert [type(event) for event in heard] == [CommentsImported]
    assert heard[0].count == 3  # type: ignore[attr-defined]


def test_refused_inputs_write_nothing() -> None:
    thread = make_thread()
    with pytest.raises(ActionError):
        do_import_comments(
            thread=thread,
            comments=[ImportedComment(ref="a", parent_ref="zz", created_at=at(1), body_source="x")],
        )
    with pytest.raises(ActionError):
        do_import_comments(
            thread=thread,
            comments=[
                ImportedComment(ref="a", parent_ref="b", created_at=at(1), body_source="x"),
                ImportedComment(ref="b", parent_ref="a", created_at=at(1), body_source="x"),
            ],
        )
    other = make_thread()
    elsewhere = post(other, member(make_user()), "elsewhere")
    with pytest.raises(ActionError):
        do_import_comments(
            thread=thread,
            comments=[
                ImportedComment(ref="a", parent_id=elsewhere.pk, created_at=at(1), body_source="x")
            ],
        )
    assert not Comment.objects.filter(thread=thread).exists()


def test_html_rendered_by_the_caller_is_stored_and_missing_html_is_rendered_here() -> None:
    thread = make_thread()
    made = "<p>made by the importer</p>"
    created = do_import_comments(
        thread=thread,
        comments=[
            ImportedComment(ref="a", created_at=at(1), body_source="**a**", body_html=made),
            ImportedComment(ref="b", created_at=at(2), body_source="**b**"),
            # A deleted comment keeps no text, whatever HTML came with it.
            ImportedComment(
                ref="c",
                created_at=at(3),
                body_source="c",
                body_html="<p>c</p>",
                status=Comment.Status.DELETED,
            ),
        ],
    )
    html = {ref: Comment.objects.get(pk=placed.pk).body_html for ref, placed in created.items()}
    assert html == {"a": made, "b": '<p dir="auto"><strong>b</strong></p>', "c": ""}
