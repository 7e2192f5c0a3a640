"""Reads: pages of comment trees, counts for listings, most discussed, integrity checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadsheet.discussion.actions import do_delete_comment
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.selectors import (
    comment_counts,
    comment_tree,
    comments_for_thread,
    page_of_comment,
    threads_most_discussed,
    votes_by_voter,
)
from broadsheet.discussion.sorting import Sort
from broadsheet.discussion.testing import (
    big_thread,
    guest,
    make_thread,
    post,
    sort_key,
    thread_inconsistencies,
)

pytestmark = pytest.mark.django_db


def test_a_page_is_top_level_comments_with_their_replies_in_tree_order(
    thread: Thread, reader_rosa: Actor
) -> None:
    a = post(thread, reader_rosa, "a")
    b = post(thread, reader_rosa, "b")
    a1 = post(thread, reader_rosa, "a1", parent=a)
    b1 = post(thread, reader_rosa, "b1", parent=b)
    a2 = post(thread, reader_rosa, "a2", parent=a)
    a11 = post(thread, reader_rosa, "a11", parent=a1)
    page = comments_for_thread(thread, sort=Sort.OLDEST)
    assert [c.pk for c in page.roots] == [a.pk, b.pk]
    assert [c.pk for c in page.replies[a.pk]] == [a1.pk, a11.pk, a2.pk]
    assert [c.pk for c in page.comments] == [a.pk, a1.pk, a11.pk, a2.pk, b.pk, b1.pk]


def test_the_page_of_a_big_thread_is_two_queries(django_assert_num_queries: Any) -> None:
    thread = big_thread(1500)
    with django_assert_num_queries(2):
        page = comments_for_thread(thread, sort=Sort.TOP, page=2)
    assert len(page.roots) == 20
    assert page.roots == sorted(page.roots, key=sort_key(Sort.TOP))


def test_every_sort_pages_through_each_top_level_comment_once(settings: Any) -> None:
    thread = big_thread(300, seed=3)
    for sort in Sort:
        seen: list[int] = []
        number = 1
        while True:
            page = comments_for_thread(thread, sort=sort, page=number, page_size=7)
            seen.extend(c.pk for c in page.roots)
            if not page.has_next:
                break
            number += 1
        expected = Comment.objects.filter(thread=thread, parent=None).exclude(
            status=Comment.Status.DELETED, reply_count=0
        )
        assert sorted(seen) == sorted(expected.values_list("pk", flat=True))
        assert len(seen) == len(set(seen))


def test_replies_are_capped_per_top_level_comment(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa)
    replies = [post(thread, reader_rosa, f"r{n}", parent=root) for n in range(4)]
    small = post(thread, reader_rosa)
    post(thread, reader_rosa, parent=small)
    page = comments_for_thread(thread, sort=Sort.OLDEST, replies_per_root=3)
    assert [c.pk for c in page.replies[root.pk]] == [r.pk for r in replies[:3]]
    assert page.more_replies == {root.pk}


def test_small_trees_are_read_without_the_window_and_still_capped(
    thread: Thread, reader_rosa: Actor
) -> None:
    """No tree over the cap: the replies query skips the window function (cheaper for
    Django to build), and a "[deleted]" placeholder beyond reply_count is still capped."""
    root = post(thread, reader_rosa)
    gone = post(thread, reader_rosa, "gone", parent=root)
    below = post(thread, reader_rosa, "below", parent=gone)
    others = [post(thread, reader_rosa, f"r{n}", parent=root) for n in range(2)]
    do_delete_comment(comment=gone, actor=reader_rosa)
    root.refresh_from_db()
    assert root.reply_count == 3  # below, r0, r1: the placeholder is not counted
    with CaptureQueriesContext(connection) as queries:
        page = comments_for_thread(thread, sort=Sort.OLDEST, replies_per_root=3)
    assert "ROW_NUMBER" not in queries.captured_queries[-1]["sql"].upper()
    assert [c.pk for c in page.replies[root.pk]] == [gone.pk, below.pk, others[0].pk]
    assert page.more_replies == {root.pk}


def test_deleted_comments_show_only_while_they_have_visible_replies(
    thread: Thread, reader_rosa: Actor
) -> None:
    lonely = post(thread, reader_rosa, "lonely")
    root = post(thread, reader_rosa, "root")
    middle = post(thread, reader_rosa, "middle", parent=root)
    leaf = post(thread, reader_rosa, "leaf", parent=middle)
    for comment in (lonely, root, middle):
        do_delete_comment(comment=comment, actor=reader_rosa)
    page = comments_for_thread(thread, sort=Sort.OLDEST)
    assert [c.pk for c in page.comments] == [root.pk, middle.pk, leaf.pk]
    do_delete_comment(comment=leaf, actor=reader_rosa)
    assert comments_for_thread(thread, sort=Sort.OLDEST).comments == []


def test_the_tree_of_one_comment_pages_by_path(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa)
    replies = [post(thread, reader_rosa, f"r{n}", parent=root) for n in range(5)]
    first = comment_tree(root, limit=2)
    assert [c.pk for c in first.replies] == [r.pk for r in replies[:2]]
    second = comment_tree(root, after=first.next_after or "", limit=2)
    assert [c.pk for c in second.replies] == [r.pk for r in replies[2:4]]
    last = comment_tree(root, after=second.next_after or "", limit=2)
    assert ([c.pk for c in last.replies], last.next_after) == ([replies[4].pk], None)


def test_the_tree_of_one_comment_shows_a_held_reply_to_its_author_alone(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor, guest_layla: Actor
) -> None:
    root = post(thread, reader_rosa)
    held = post(thread, guest_gabriel, "Held for a moderator.", parent=root)
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    assert [c.pk for c in comment_tree(root, viewer=guest_gabriel).replies] == [held.pk]
    assert comment_tree(root, viewer=guest_layla).replies == []
    assert comment_tree(root).replies == []


@pytest.mark.parametrize("sort", list(Sort))
def test_the_page_of_a_comment_matches_where_paging_shows_it(sort: Sort, settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 9
    thread = big_thread(200, seed=11)
    for comment in Comment.objects.filter(thread=thread).exclude(status=Comment.Status.DELETED)[
        ::13
    ]:
        number = page_of_comment(comment, sort=sort)
        page = comments_for_thread(thread, sort=sort, page=number)
        assert comment.pk in [c.pk for c in page.roots] + [
            c.pk for group in page.replies.values() for c in group
        ]


def test_my_votes_on_a_page(thread: Thread, reader_rosa: Actor) -> None:
    from broadsheet.discussion.actions import do_cast_vote

    a, b, c = (post(thread, reader_rosa) for _ in range(3))
    gabriel = guest("gabriel")
    do_cast_vote(comment=a, actor=gabriel, value=1)
    do_cast_vote(comment=b, actor=gabriel, value=-1)
    assert votes_by_voter(gabriel.voter_key, [a.pk, b.pk, c.pk]) == {a.pk: 1, b.pk: -1}
    assert votes_by_voter(None, [a.pk]) == {}


def test_comment_counts_for_listings_in_one_query(
    reader_rosa: Actor, django_assert_num_queries: Any
) -> None:
    one, two = make_thread("article-1"), make_thread("article-2")
    post(one, reader_rosa)
    post(two, reader_rosa)
    post(two, reader_rosa)
    with django_assert_num_queries(1):
        counts = comment_counts(["article-1", "article-2", "article-404"])
    assert counts == {"article-1": 1, "article-2": 2, "article-404": 0}
    assert comment_counts([]) == {}


def test_most_discussed_ranks_by_comments(reader_rosa: Actor) -> None:
    quiet, busy, other_site = (
        make_thread("article-1"),
        make_thread("article-2"),
        make_thread("https://blog.example/post"),
    )
    post(quiet, reader_rosa)
    for _ in range(3):
        post(busy, reader_rosa)
        post(other_site, reader_rosa)
    make_thread("article-3")
    assert threads_most_discussed() == [busy, quiet]
    assert threads_most_discussed(limit=1) == [busy]
    assert threads_most_discussed(key_prefix="https://") == [other_site]


def test_most_discussed_since_counts_only_recent_comments(reader_rosa: Actor) -> None:
    old_favourite, this_week = make_thread("article-1"), make_thread("article-2")
    for _ in range(5):
        post(old_favourite, reader_rosa)
    Comment.objects.filter(thread=old_favourite).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    post(old_favourite, reader_rosa)
    post(this_week, reader_rosa)
    post(this_week, reader_rosa)
    since = timezone.now() - timedelta(days=7)
    assert threads_most_discussed(since=since) == [this_week, old_favourite]
    assert threads_most_discussed() == [old_favourite, this_week]


def test_integrity_check_reports_a_tampered_counter(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa)
    post(thread, reader_rosa, parent=root)
    assert thread_inconsistencies(thread) == []
    Comment.objects.filter(pk=root.pk).update(reply_count=7)
    Thread.objects.filter(pk=thread.pk).update(comment_count=9)
    problems = thread_inconsistencies(thread)
    assert any("reply_count 7 != 1" in p for p in problems)
    assert any("comment_count 9 != 2" in p for p in problems)
