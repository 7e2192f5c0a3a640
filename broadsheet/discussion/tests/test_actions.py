"""The write paths: posting, replying, editing, deleting, voting, closing, registering."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed, RateLimited
from broadsheet.discussion import events
from broadsheet.discussion.actions import (
    NewComment,
    do_cast_vote,
    do_close_thread,
    do_delete_comment,
    do_edit_comment,
    do_post_comment,
    do_register_thread,
    do_reopen_thread,
    initial_status,
    moderation_submission,
)
from broadsheet.discussion.identity import Actor, reader_hash
from broadsheet.discussion.models import Comment, CommentVote, Thread, path_segment
from broadsheet.discussion.policy import DiscussionPolicy
from broadsheet.discussion.testing import (
    guest,
    make_thread,
    make_user,
    member,
    post,
    thread_inconsistencies,
)

pytestmark = pytest.mark.django_db


def no_guests_policy(thread: Thread, request: Any = None) -> DiscussionPolicy:
    return DiscussionPolicy(enabled=True, allow_guests=False, default_sort="top")


def disabled_policy(thread: Thread, request: Any = None) -> DiscussionPolicy:
    return DiscussionPolicy(enabled=False)


def fresh(comment: Comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


def count_of(thread: Thread) -> int:
    return Thread.objects.get(pk=thread.pk).comment_count


# --- registering threads ----------------------------------------------------------------


def test_registering_a_thread_twice_returns_the_same_thread() -> None:
    first = do_register_thread(key="article-1", title="River", url="/river/")
    again = do_register_thread(key="article-1", title="River", url="/river/")
    assert first.pk == again.pk
    assert Thread.objects.count() == 1


def test_a_thread_follows_its_hosts_new_title_and_url() -> None:
    do_register_thread(key="article-1", title="River", url="/river/")
    renamed = do_register_thread(
        key="article-1", title="Room for the river", url="/politics/river/"
    )
    assert (renamed.title, renamed.url) == ("Room for the river", "/politics/river/")
    assert Thread.objects.get(key="article-1").title == "Room for the river"


def test_an_existing_unchanged_thread_costs_one_query(django_assert_num_queries: Any) -> None:
    do_register_thread(key="article-1", title="River", url="/river/")
    with django_assert_num_queries(1):
        do_register_thread(key="article-1", title="River", url="/river/")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "data:text/html,x"])
def test_a_thread_url_is_a_path_or_a_web_address(url: str) -> None:
    with pytest.raises(ActionError) as error:
        do_register_thread(key="article-1", title="x", url=url)
    assert error.value.field == "url"


def test_a_thread_needs_a_key() -> None:
    with pytest.raises(ActionError) as error:
        do_register_thread(key=" ", title="x", url="/")
    assert error.value.field == "key"


# --- posting ----------------------------------------------------------------------------


def test_a_guest_posts_with_name_and_email(thread: Thread, guest_gabriel: Actor) -> None:
    comment = do_post_comment(
        actor=guest_gabriel,
        new=NewComment(
            thread=thread,
            body="The **plan** is good.",
            guest_name="Gabriel",
            guest_email="gabriel@example.org",
            guest_website="https://gabriel.example",
        ),
    )
    assert comment.status == Comment.Status.APPROVED
    assert comment.body_html == '<p dir="auto">The <strong>plan</strong> is good.</p>'
    assert comment.guest_reader_id == reader_hash("gabriel-cookie")
    assert comment.author is None
    assert (comment.depth, comment.path, comment.root_id) == (0, path_segment(comment.pk), None)
    assert count_of(thread) == 1
    assert Thread.objects.get(pk=thread.pk).last_comment_at == comment.created_at


def test_a_signed_in_reader_posts_without_guest_details(
    thread: Thread, reader_rosa: Actor, rosa: Any
) -> None:
    comment = do_post_comment(
        actor=reader_rosa, new=NewComment(thread=thread, body="Hello", guest_name="ignored")
    )
    assert comment.author == rosa
    assert comment.guest_name == ""


@pytest.mark.parametrize(
    ("name", "email", "website", "field"),
    [
        ("", "g@example.org", "", "name"),
        ("G" * 61, "g@example.org", "", "name"),
        ("Gabriel", "", "", "email"),
        ("Gabriel", "not-an-address", "", "email"),
        ("Gabriel", "g@example.org", "javascript:alert(1)", "website"),
        ("Gabriel", "g@example.org", "gabriel.example", "website"),
    ],
)
def test_guest_details_are_checked_field_by_field(
    thread: Thread, guest_gabriel: Actor, name: str, email: str, website: str, field: str
) -> None:
    with pytest.raises(ActionError) as error:
        do_post_comment(
            actor=guest_gabriel,
            new=NewComment(
                thread=thread, body="Hi", guest_name=name, guest_email=email, guest_website=website
            ),
        )
    assert error.value.field == field
    assert count_of(thread) == 0


@pytest.mark.parametrize("body", ["", "   \n  ", "[](https://example.org)"])
def test_an_empty_comment_is_refused(thread: Thread, reader_rosa: Actor, body: str) -> None:
    with pytest.raises(ActionError, match="Please write a comment") as error:
        do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body=body))
    assert error.value.field == "body"


def test_a_comment_longer_than_the_limit_is_refused_with_its_length(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_BODY_MAX_LENGTH = 100
    with pytest.raises(ActionError, match="101 characters long; the limit is 100") as error:
        do_post_comment(actor=reader_rosa, new=NewComment(thread=thread, body="x" * 101))
    assert error.value.field == "body"


def test_nobody_posts_in_a_closed_discussion(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor
) -> None:
    do_close_thread(thread=thread, actor=moderator_max)
    with pytest.raises(NotAllowed, match="Comments are closed"):
        post(thread, reader_rosa)


def test_the_host_policy_can_switch_posting_off(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = (
        "broadsheet.discussion.tests.test_actions.disabled_policy"
    )
    with pytest.raises(NotAllowed, match="Comments are closed"):
        post(thread, reader_rosa)


def test_the_host_policy_can_require_an_account(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = (
        "broadsheet.discussion.tests.test_actions.no_guests_policy"
    )
    with pytest.raises(NotAllowed, match="sign in"):
        post(thread, guest_gabriel)
    assert post(thread, reader_rosa).pk


def test_a_reply_sits_under_its_parent_in_the_same_tree(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    root = post(thread, reader_rosa, "Root")
    reply = post(thread, guest_gabriel, "Reply", parent=root)
    deeper = post(thread, reader_rosa, "Deeper", parent=reply)
    assert (reply.depth, reply.root_id, reply.path) == (
        1,
        root.pk,
        root.path + path_segment(reply.pk),
    )
    assert (deeper.depth, deeper.root_id, deeper.path) == (
        2,
        root.pk,
        reply.path + path_segment(deeper.pk),
    )
    assert fresh(root).reply_count == 2
    assert fresh(reply).reply_count == 1
    assert count_of(thread) == 3
    assert thread_inconsistencies(thread) == []


def test_replies_in_path_order_read_depth_first_oldest_first(
    thread: Thread, reader_rosa: Actor
) -> None:
    root = post(thread, reader_rosa, "root")
    a = post(thread, reader_rosa, "a", parent=root)
    b = post(thread, reader_rosa, "b", parent=root)
    a1 = post(thread, reader_rosa, "a1", parent=a)
    b1 = post(thread, reader_rosa, "b1", parent=b)
    a2 = post(thread, reader_rosa, "a2", parent=a)
    ordered = list(Comment.objects.filter(root=root).order_by("path").values_list("pk", flat=True))
    assert ordered == [a.pk, a1.pk, a2.pk, b.pk, b1.pk]


def test_very_deep_chains_continue_at_the_same_level_once_the_path_is_full(
    thread: Thread, reader_rosa: Actor
) -> None:
    parent = post(thread, reader_rosa, "0")
    for n in range(40):
        parent = post(thread, reader_rosa, str(n + 1), parent=parent)
    assert parent.depth == 35
    assert len(parent.path) <= Comment._meta.get_field("path").max_length  # type: ignore[operator]
    assert thread_inconsistencies(thread) == []


def test_a_reply_must_belong_to_the_same_discussion(thread: Thread, reader_rosa: Actor) -> None:
    elsewhere = post(make_thread(), reader_rosa)
    with pytest.raises(ActionError) as error:
        post(thread, reader_rosa, parent=elsewhere)
    assert error.value.field == "parent"


def test_nobody_replies_to_a_deleted_comment(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    root = post(thread, reader_rosa)
    do_delete_comment(comment=root, actor=reader_rosa)
    with pytest.raises(ActionError, match="removed"):
        post(thread, guest_gabriel, parent=root)


def test_posting_is_rate_limited_per_ip(thread: Thread, settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (2, 60)
    flooder = guest(ip_hash="same-ip")
    post(thread, flooder, "First")
    post(thread, flooder, "Second")
    with pytest.raises(RateLimited, match="your text is kept"):
        post(thread, flooder, "Third")
    assert count_of(thread) == 2


def test_a_refused_form_does_not_use_up_the_rate_limit(thread: Thread, settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (1, 60)
    flooder = guest(ip_hash="same-ip")
    with pytest.raises(ActionError):
        post(thread, flooder, "")
    assert post(thread, flooder).pk


def test_the_moderation_pipeline_decides_the_initial_status(
    thread: Thread, reader_rosa: Actor
) -> None:
    # Default settings: no pre-moderation, nothing suspicious in the text.
    submission = moderation_submission(thread=thread, actor=reader_rosa, body="x")
    assert initial_status(thread=thread, submission=submission) == (
        Comment.Status.APPROVED,
        "",
    )


def test_a_posted_event_is_published_only_after_commit(
    thread: Thread, reader_rosa: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[events.DiscussionEvent] = []
    events.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            comment = post(thread, reader_rosa)
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        events.unsubscribe(heard.append)
    assert heard == [
        events.CommentPosted(
            thread_id=thread.pk,
            thread_key=thread.key,
            comment_id=comment.pk,
            parent_id=None,
            root_id=None,
            created_at=comment.created_at,
        )
    ]


def test_a_failing_listener_does_not_stop_the_others(thread: Thread) -> None:
    heard: list[events.DiscussionEvent] = []

    def broken(event: events.DiscussionEvent) -> None:
        raise RuntimeError("boom")

    events.subscribe(broken)
    events.subscribe(heard.append)
    try:
        events.publish(events.ThreadClosed(thread_id=thread.pk, thread_key=thread.key))
    finally:
        events.unsubscribe(broken)
        events.unsubscribe(heard.append)
    assert heard == [events.ThreadClosed(thread_id=thread.pk, thread_key=thread.key)]


# --- editing ----------------------------------------------------------------------------


def test_the_author_edits_within_the_window_and_it_shows_edited(
    thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Frist")
    edited = do_edit_comment(comment=comment, actor=reader_rosa, body="First, *corrected*")
    assert edited.body_html == '<p dir="auto">First, <em>corrected</em></p>'
    assert edited.edited_at is not None
    assert fresh(comment).body_source == "First, *corrected*"


def test_a_guest_edits_their_comment_from_the_same_browser(
    thread: Thread, guest_gabriel: Actor
) -> None:
    comment = post(thread, guest_gabriel, "Typo")
    same_browser = guest("gabriel-cookie", ip_hash="another-ip")
    assert do_edit_comment(comment=comment, actor=same_browser, body="Fixed").body_source == "Fixed"


def test_nobody_else_edits_a_comment(
    thread: Thread,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    guest_layla: Actor,
    moderator_max: Actor,
) -> None:
    by_gabriel = post(thread, guest_gabriel)
    by_rosa = post(thread, reader_rosa)
    for actor, comment in [
        (guest_layla, by_gabriel),
        (reader_rosa, by_gabriel),
        (guest_gabriel, by_rosa),
        (moderator_max, by_rosa),
    ]:
        with pytest.raises(NotAllowed, match="Only the author"):
            do_edit_comment(comment=comment, actor=actor, body="Hijacked")
    assert fresh(by_rosa).body_source == "A considered comment."


def test_editing_ends_with_the_edit_window(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_EDIT_WINDOW = 600
    comment = post(thread, reader_rosa)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(seconds=601))
    with pytest.raises(NotAllowed, match="10 minutes"):
        do_edit_comment(comment=fresh(comment), actor=reader_rosa, body="Too late")


def test_an_edit_is_checked_like_a_new_comment(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    with pytest.raises(ActionError) as error:
        do_edit_comment(comment=comment, actor=reader_rosa, body="  ")
    assert error.value.field == "body"


# --- deleting ---------------------------------------------------------------------------


def test_a_deleted_comment_with_replies_stays_as_a_placeholder(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    root = post(thread, reader_rosa, "Root")
    reply = post(thread, guest_gabriel, "Reply", parent=root)
    deleted = do_delete_comment(comment=root, actor=reader_rosa)
    assert deleted.status == Comment.Status.DELETED
    assert (deleted.body_source, deleted.body_html) == ("", "")
    assert fresh(root).reply_count == 1
    assert fresh(reply).status == Comment.Status.APPROVED
    assert count_of(thread) == 1
    assert thread_inconsistencies(thread) == []


def test_deleting_a_reply_updates_every_ancestor(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    root = post(thread, reader_rosa)
    middle = post(thread, guest_gabriel, parent=root)
    leaf = post(thread, reader_rosa, parent=middle)
    do_delete_comment(comment=leaf, actor=reader_rosa)
    assert (fresh(root).reply_count, fresh(middle).reply_count) == (1, 0)
    assert count_of(thread) == 2
    assert thread_inconsistencies(thread) == []


def test_a_moderator_deletes_any_comment(
    thread: Thread, guest_gabriel: Actor, moderator_max: Actor
) -> None:
    comment = post(thread, guest_gabriel)
    do_delete_comment(comment=comment, actor=moderator_max)
    assert fresh(comment).status == Comment.Status.DELETED


def test_staff_count_as_moderators(thread: Thread, guest_gabriel: Actor) -> None:
    comment = post(thread, guest_gabriel)
    do_delete_comment(comment=comment, actor=member(make_user("eve", staff=True)))
    assert fresh(comment).status == Comment.Status.DELETED


def test_other_readers_cannot_delete(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    comment = post(thread, guest_gabriel)
    with pytest.raises(NotAllowed):
        do_delete_comment(comment=comment, actor=reader_rosa)
    with pytest.raises(NotAllowed):
        do_delete_comment(comment=comment, actor=guest("someone-else"))


def test_a_comment_is_deleted_once(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    do_delete_comment(comment=comment, actor=reader_rosa)
    with pytest.raises(ActionError, match="already deleted"):
        do_delete_comment(comment=fresh(comment), actor=reader_rosa)
    assert count_of(thread) == 0


# --- voting -----------------------------------------------------------------------------


def test_votes_count_switch_and_undo(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    comment = post(thread, reader_rosa)
    assert do_cast_vote(comment=comment, actor=guest_gabriel, value=1).score == 1
    switched = do_cast_vote(comment=comment, actor=guest_gabriel, value=-1)
    assert (switched.upvotes, switched.downvotes, switched.score, switched.mine) == (0, 1, -1, -1)
    undone = do_cast_vote(comment=comment, actor=guest_gabriel, value=0)
    assert (undone.upvotes, undone.downvotes, undone.score, undone.mine) == (0, 0, 0, 0)
    assert not CommentVote.objects.exists()


def test_each_voter_counts_once(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    for voter in ["a", "b", "c"]:
        do_cast_vote(comment=comment, actor=guest(voter), value=1)
    do_cast_vote(comment=comment, actor=guest("a"), value=1)
    result = do_cast_vote(comment=comment, actor=member(make_user()), value=-1)
    assert (result.upvotes, result.downvotes, result.score) == (3, 1, 2)


def test_nobody_votes_on_their_own_comment(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    with pytest.raises(NotAllowed, match="your own comment"):
        do_cast_vote(comment=post(thread, reader_rosa), actor=reader_rosa, value=1)
    with pytest.raises(NotAllowed, match="your own comment"):
        do_cast_vote(comment=post(thread, guest_gabriel), actor=guest_gabriel, value=1)


def test_nobody_votes_on_a_deleted_comment(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    comment = do_delete_comment(comment=post(thread, reader_rosa), actor=reader_rosa)
    with pytest.raises(ActionError, match="visible comments"):
        do_cast_vote(comment=comment, actor=guest_gabriel, value=1)


@pytest.mark.parametrize("value", [2, -2, 99])
def test_a_vote_is_up_down_or_none(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor, value: int
) -> None:
    with pytest.raises(ActionError) as error:
        do_cast_vote(comment=post(thread, reader_rosa), actor=guest_gabriel, value=value)
    assert error.value.field == "value"


def test_a_voter_needs_a_cookie_or_an_account(thread: Thread, reader_rosa: Actor) -> None:
    with pytest.raises(ActionError, match="cookie"):
        do_cast_vote(comment=post(thread, reader_rosa), actor=Actor(), value=1)


def test_votes_are_rate_limited_per_ip(thread: Thread, reader_rosa: Actor, settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT = (2, 60)
    comment = post(thread, reader_rosa)
    do_cast_vote(comment=comment, actor=guest("a", ip_hash="ip"), value=1)
    do_cast_vote(comment=comment, actor=guest("b", ip_hash="ip"), value=1)
    with pytest.raises(RateLimited):
        do_cast_vote(comment=comment, actor=guest("c", ip_hash="ip"), value=1)
    assert fresh(comment).score == 2


def test_a_vote_change_is_published_with_the_new_totals(
    thread: Thread,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa)
    heard: list[events.DiscussionEvent] = []
    events.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            do_cast_vote(comment=comment, actor=guest_gabriel, value=1)
            do_cast_vote(comment=comment, actor=guest_gabriel, value=1)  # no change, no event
    finally:
        events.unsubscribe(heard.append)
    assert heard == [
        events.VoteChanged(
            thread_id=thread.pk,
            thread_key=thread.key,
            comment_id=comment.pk,
            upvotes=1,
            downvotes=0,
            score=1,
        )
    ]


def test_every_visible_change_is_published_once_with_the_thread_key(
    thread: Thread,
    reader_rosa: Actor,
    guest_gabriel: Actor,
    moderator_max: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    heard: list[events.DiscussionEvent] = []
    events.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comment = post(thread, reader_rosa)
            do_edit_comment(comment=comment, actor=reader_rosa, body="Edited")
            do_cast_vote(comment=comment, actor=guest_gabriel, value=-1)
            do_delete_comment(comment=comment, actor=moderator_max)
            do_close_thread(thread=thread, actor=moderator_max)
            do_reopen_thread(thread=thread, actor=moderator_max)
    finally:
        events.unsubscribe(heard.append)
    assert [type(event).__name__ for event in heard] == [
        "CommentPosted",
        "CommentEdited",
        "VoteChanged",
        "CommentDeleted",
        "ThreadClosed",
        "ThreadReopened",
    ]
    assert {event.thread_key for event in heard} == {thread.key}
    deleted = heard[3]
    assert isinstance(deleted, events.CommentDeleted) and deleted.by_moderator


# --- closing ----------------------------------------------------------------------------


def test_moderators_close_and_reopen_a_discussion(
    thread: Thread, moderator_max: Actor, reader_rosa: Actor
) -> None:
    with pytest.raises(NotAllowed):
        do_close_thread(thread=thread, actor=reader_rosa)
    do_close_thread(thread=thread, actor=moderator_max)
    assert Thread.objects.get(pk=thread.pk).is_closed
    do_reopen_thread(thread=thread, actor=moderator_max)
    assert post(thread, reader_rosa).pk


# --- concurrency (real threads, real transactions) --------------------------------------


def _run_together(workers: int, work: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(n)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_are_counted_exactly() -> None:
    thread = make_thread()
    comment = post(thread, member(make_user("author")))
    voters = [f"reader-{n}" for n in range(24)]

    def vote(n: int) -> None:
        for voter in voters[n::8]:
            value = 1 if int(voter.split("-")[1]) % 3 else -1
            do_cast_vote(comment=comment, actor=guest(voter), value=value)
            # The same voter racing themself: repeat, switch, switch back.
            do_cast_vote(comment=comment, actor=guest(voter), value=value)
            do_cast_vote(comment=comment, actor=guest(voter), value=-value)
            do_cast_vote(comment=comment, actor=guest(voter), value=value)

    assert _run_together(8, vote) == []
    ups = sum(1 for v in voters if int(v.split("-")[1]) % 3)
    stored = fresh(comment)
    assert (stored.upvotes, stored.downvotes, stored.score) == (
        ups,
        len(voters) - ups,
        2 * ups - len(voters),
    )
    assert CommentVote.objects.filter(comment=comment).count() == len(voters)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_and_deletes_keep_every_counter_exact() -> None:
    thread = make_thread()
    author = member(make_user("author"))
    root = post(thread, author, "root")
    branches = [post(thread, author, f"branch {n}", parent=root) for n in range(4)]

    def write(n: int) -> None:
        me = guest(f"writer-{n}")
        mine = []
        for i in range(5):
            parent = branches[(n + i) % 4] if i % 2 else root
            mine.append(post(thread, me, f"writer {n} comment {i}", parent=parent))
        do_delete_comment(comment=mine[0], actor=me)

    assert _run_together(6, write) == []
    assert thread_inconsistencies(thread) == []
    assert count_of(thread) == 1 + 4 + 6 * 4
    assert fresh(root).reply_count == 4 + 6 * 4


def test_posting_changes_nothing_it_was_given(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    root = post(thread, reader_rosa, "Root")
    fresh_thread = Thread.objects.get(pk=thread.pk)
    before = (vars(fresh_thread).copy(), vars(root).copy())
    new = NewComment(
        thread=fresh_thread,
        body="A reply",
        parent=root,
        guest_name="Gabriel",
        guest_email="gabriel@example.org",
    )
    reply = do_post_comment(actor=guest_gabriel, new=new)
    assert (vars(fresh_thread), vars(root)) == before
    assert reply.thread is not fresh_thread and reply.thread.comment_count == 2
    assert fresh_thread.comment_count == 1


def test_the_vote_engine_moves_both_counters_when_a_vote_switches() -> None:
    from broadsheet.discussion.votes import counter_deltas

    assert counter_deltas(0, 1) == (1, 0)
    assert counter_deltas(1, -1) == (-1, 1)
    assert counter_deltas(-1, 0) == (0, -1)
    assert counter_deltas(1, 1) == (0, 0)
