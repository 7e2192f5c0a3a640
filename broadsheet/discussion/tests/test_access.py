"""access_*: the rows request code acts on, 404 for what the actor may not see."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from broadsheet.discussion.access import (
    access_comment,
    access_comment_to_act_on,
    access_thread_by_key,
)
from broadsheet.discussion.actions import NewComment, do_cast_vote, do_post_comment
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post, thread_inconsistencies

pytestmark = pytest.mark.django_db

BOTH = pytest.mark.parametrize("access", [access_comment, access_comment_to_act_on])


@BOTH
def test_a_held_comment_is_404_for_others_and_there_for_its_author_and_moderators(
    access: Any, thread: Thread, guest_gabriel: Actor, guest_layla: Actor, moderator_max: Actor
) -> None:
    comment = post(thread, guest_gabriel)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    with pytest.raises(Http404):
        access(guest_layla, comment.pk)
    assert access(guest_gabriel, comment.pk).pk == comment.pk
    assert access(moderator_max, comment.pk).pk == comment.pk


@BOTH
def test_a_missing_comment_is_404(access: Any, guest_layla: Actor) -> None:
    with pytest.raises(Http404):
        access(guest_layla, 10**9)


def test_the_lean_comment_is_one_query_and_loads_other_columns_on_access(
    thread: Thread, guest_gabriel: Actor, guest_layla: Actor, django_assert_num_queries: Any
) -> None:
    comment = post(thread, guest_gabriel, "Water finds its way.")
    with django_assert_num_queries(1):
        lean = access_comment_to_act_on(guest_layla, comment.pk)
        assert (lean.thread_id, lean.thread.key, lean.status) == (
            thread.pk,
            thread.key,
            Comment.Status.APPROVED,
        )
        assert guest_layla.wrote(lean) is False
    assert "Water finds its way." in lean.body_source


def test_votes_and_replies_through_the_lean_comment_keep_the_counters_exact(
    thread: Thread, guest_gabriel: Actor, guest_layla: Actor
) -> None:
    root = post(thread, guest_gabriel)
    reply = do_post_comment(
        actor=guest_layla,
        new=NewComment(
            thread=thread,
            body="A reply.",
            parent=access_comment_to_act_on(guest_layla, root.pk),
            guest_name="Layla",
            guest_email="layla@example.org",
        ),
    )
    assert (reply.depth, reply.root_id, reply.path[: len(root.path)]) == (1, root.pk, root.path)
    result = do_cast_vote(
        comment=access_comment_to_act_on(guest_layla, root.pk), actor=guest_layla, value=1
    )
    assert (result.upvotes, result.score) == (1, 1)
    assert Comment.objects.get(pk=root.pk).reply_count == 1
    assert thread_inconsistencies(thread) == []


def test_the_thread_of_a_key_is_the_whole_row_and_404_for_an_unknown_key(thread: Thread) -> None:
    Thread.objects.filter(pk=thread.pk).update(comment_count=3, is_closed=True)
    found = access_thread_by_key(thread.key)
    stored = Thread.objects.get(pk=thread.pk)
    assert {f.attname: getattr(found, f.attname) for f in Thread._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in Thread._meta.concrete_fields
    }
    assert not found._state.adding
    with pytest.raises(Http404):
        access_thread_by_key(thread.key + "-missing")
