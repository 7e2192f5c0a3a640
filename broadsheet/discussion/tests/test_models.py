"""What the database itself guarantees about threads, comments and votes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, CommentVote, Thread, path_ids, path_segment
from broadsheet.discussion.testing import post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("comment_id", [1, 35, 36, 1295, 123_456_789, 36**7 - 1])
def test_path_segments_are_fixed_width_and_sort_like_the_ids(comment_id: int) -> None:
    segment = path_segment(comment_id)
    assert len(segment) == 7
    assert path_ids(segment) == [comment_id]
    assert path_segment(comment_id - 1) < segment


def test_an_id_too_large_for_a_segment_is_refused() -> None:
    with pytest.raises(ValueError):
        path_segment(36**7)


def test_a_status_outside_the_choices_is_refused(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(status="hidden")


def test_a_top_level_comment_has_no_root_and_depth_zero(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(depth=2)
    reply = post(thread, reader_rosa, parent=comment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=reply.pk).update(root=None)


def test_the_score_is_always_up_minus_down(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(upvotes=3)


def test_one_vote_per_voter_and_only_plus_or_minus_one(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    CommentVote.objects.create(comment=comment, voter_key="r:x", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentVote.objects.create(comment=comment, voter_key="r:x", value=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentVote.objects.create(comment=comment, voter_key="r:y", value=2)


def test_thread_keys_are_unique(thread: Thread) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Thread.objects.create(key=thread.key)


def test_urls(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    assert thread.get_absolute_url() == f"/discussion/t/{thread.pk}/"
    assert comment.get_absolute_url() == f"/discussion/c/{comment.pk}/"
    assert thread.host_url == "/politics/room-for-the-river/"
    assert Thread(pk=5, key="x").host_url == "/discussion/t/5/"
    assert str(thread) == "Room for the river"
