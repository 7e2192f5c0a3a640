"""The bulk seeder writes exactly what the actions would have written."""

from __future__ import annotations

import random
from typing import Any

import pytest

from broadsheet.discussion.actions import do_cast_vote, do_delete_comment
from broadsheet.discussion.demo import seed_thread
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, CommentVote, Thread
from broadsheet.discussion.testing import (
    BANK,
    guest,
    make_thread,
    make_user,
    member,
    post,
    thread_inconsistencies,
)

pytestmark = pytest.mark.django_db


def test_a_seeded_thread_passes_the_integrity_check() -> None:
    users = [make_user(name="Rosa Lindqvist"), make_user(name="Omar Haddad")]
    thread = make_thread()
    created = seed_thread(
        thread, count=600, max_depth=5, rng=random.Random(1), bank=BANK, users=users
    )
    assert created == 600
    assert thread_inconsistencies(thread) == []
    depths = set(Comment.objects.filter(thread=thread).values_list("depth", flat=True))
    assert depths == {0, 1, 2, 3, 4, 5}
    assert Comment.objects.filter(thread=thread, author__isnull=False).exists()
    assert Comment.objects.filter(thread=thread, author__isnull=True).exists()
    assert CommentVote.objects.filter(comment__thread=thread).exists()


def test_seeding_is_deterministic_for_a_seed() -> None:
    def shape(thread: Thread) -> list[tuple[Any, ...]]:
        rows = Comment.objects.filter(thread=thread).order_by("created_at", "pk")
        return [(c.depth, c.body_source, c.status, c.score, c.reply_count) for c in rows]

    first, second = make_thread(), make_thread()
    seed_thread(first, count=120, max_depth=3, rng=random.Random(5), bank=BANK, users=[])
    seed_thread(second, count=120, max_depth=3, rng=random.Random(5), bank=BANK, users=[])
    assert shape(first) == shape(second)


def test_seeding_matches_replaying_the_same_discussion_through_the_actions() -> None:
    rosa = make_user(name="Rosa Lindqvist")
    seeded = make_thread()
    seed_thread(seeded, count=150, max_depth=4, rng=random.Random(9), bank=BANK, users=[rosa])
    replayed = make_thread()
    new_ids: dict[int, Comment] = {}
    authors: dict[int, Actor] = {}
    rows = list(Comment.objects.filter(thread=seeded).order_by("created_at", "pk"))
    for row in rows:
        actor = member(rosa) if row.author_id else guest(f"guest-{row.guest_name}")
        body = row.body_source or "to be deleted"
        comment = post(
            replayed,
            actor,
            body,
            parent=new_ids[row.parent_id] if row.parent_id else None,
            name=row.guest_name or "G",
        )
        new_ids[row.pk], authors[row.pk] = comment, actor
    for row in rows:
        if row.status == Comment.Status.DELETED:
            do_delete_comment(
                comment=Comment.objects.get(pk=new_ids[row.pk].pk), actor=authors[row.pk]
            )
    for vote in CommentVote.objects.filter(comment__thread=seeded):
        voter = (
            member(make_user()) if vote.voter_key.startswith("u:") else guest(vote.voter_key[2:])
        )
        do_cast_vote(comment=new_ids[vote.comment_id], actor=voter, value=vote.value)

    def comparable(original: Comment) -> tuple[Any, ...]:
        copy = Comment.objects.get(pk=new_ids[original.pk].pk)
        return (copy.depth, copy.status, copy.reply_count, copy.upvotes, copy.downvotes, copy.score)

    for row in rows:
        assert comparable(row) == (
            row.depth,
            row.status,
            row.reply_count,
            row.upvotes,
            row.downvotes,
            row.score,
        ), row.pk
    assert (
        Thread.objects.get(pk=replayed.pk).comment_count
        == Thread.objects.get(pk=seeded.pk).comment_count
    )
    assert thread_inconsistencies(replayed) == []
