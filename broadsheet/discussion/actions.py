"""The write paths of the discussion engine.

Every change to threads, comments and votes goes through one ``do_<verb>_<noun>`` here,
after its ``check_<verb>_<noun>`` (which validates and authorises, raising ActionError,
NotAllowed or RateLimited). Views, the API, the demo loader and tests all call these.

Locks, in the one order every action takes them (so writers never deadlock):
thread row → comment rows → vote row. Posting and deleting lock the thread row, which
serialises the writes of one discussion on PostgreSQL (SQLite's IMMEDIATE transactions
serialise all writers anyway); voting touches only the vote and comment rows.
Counters change with F() expressions; events are published after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.core.ratelimit import enforce
from broadsheet.discussion import conf
from broadsheet.discussion.anchors import Anchor, AnchorTexts, anchor_texts_for, check_anchor
from broadsheet.discussion.comment_writes import (
    add_to_counts,
    insert_comment,
    locked_thread_state,
    parent_state,
)
from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    compile_query,
    sentinel_int,
    sentinel_str,
)
from broadsheet.discussion.events import (
    CommentDeleted,
    CommentEdited,
    CommentPosted,
    DiscussionEvent,
    ThreadClosed,
    ThreadReopened,
    VoteChanged,
    publish,
)
from broadsheet.discussion.formatting import plain_text, render_markdown
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import (
    PATH_MAX_SEGMENTS,
    PATH_SEGMENT,
    Comment,
    CommentVote,
    Thread,
    path_ids,
    path_segment,
)
from broadsheet.discussion.policy import DiscussionPolicy, policy_for

if TYPE_CHECKING:
    from broadsheet.moderation.rules.base import Submission

VOTE_VALUES = (-1, 0, 1)
CLOSED_MESSAGE = "Comments are closed."
PARENT_REMOVED_MESSAGE = "That comment was removed; you can no longer reply to it."


def _after_commit(event: DiscussionEvent) -> None:
    transaction.on_commit(lambda: publish(event))


# --- threads ---------------------------------------------------------------------------


def check_register_thread(*, key: str, title: str, url: str) -> None:
    if not key or not key.strip():
        raise ActionError("A thread needs a key.", field="key")
    if len(key) > Thread._meta.get_field("key").max_length:  # type: ignore[operator]
        raise ActionError("The thread key is too long.", field="key")
    if len(url) > Thread._meta.get_field("url").max_length:  # type: ignore[operator]
        raise ActionError("The thread URL is too long.", field="url")
    # Links and redirects lead there: a local path or a web address, nothing else.
    local = url.startswith("/") and not url.startswith("//")
    if url and not local and not url.startswith(("https://", "http://")):
        raise ActionError("The thread URL must be a path or an http(s) address.", field="url")


def do_register_thread(*, key: str, title: str, url: str) -> Thread:
    """The thread with `key`, created on first use; title and URL follow the host's.

    The common case (the thread exists and nothing changed) is one SELECT and no
    transaction: hosts call this on every page view. A race between two first views
    ends on the unique key, and the loser reads the winner's row.
    """
    check_register_thread(key=key, title=title, url=url)
    title = title[: Thread._meta.get_field("title").max_length]  # type: ignore[misc]
    thread = Thread.objects.filter(key=key).first()
    if thread is None:
        try:
            with transaction.atomic():
                return Thread.objects.create(key=key, title=title, url=url)
        except IntegrityError:
            thread = Thread.objects.get(key=key)
    if (thread.title, thread.url) != (title, url):
        Thread.objects.filter(pk=thread.pk).update(title=title, url=url)
        thread.title, thread.url = title, url
    return thread


def check_moderate_thread(*, thread: Thread, actor: Actor) -> None:
    if not actor.can_moderate:
        raise NotAllowed("Only moderators can open or close a discussion.")


def do_close_thread(*, thread: Thread, actor: Actor) -> Thread:
    """Stop new comments (votes, edits and deletions still work)."""
    check_moderate_thread(thread=thread, actor=actor)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(is_closed=True)
        thread.is_closed = True
        _after_commit(ThreadClosed(thread_id=thread.pk, thread_key=thread.key))
    return thread


def do_reopen_thread(*, thread: Thread, actor: Actor) -> Thread:
    check_moderate_thread(thread=thread, actor=actor)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(is_closed=False)
        thread.is_closed = False
        _after_commit(ThreadReopened(thread_id=thread.pk, thread_key=thread.key))
    return thread


# --- posting ---------------------------------------------------------------------------


def check_comment_body(body: str) -> str:
    """The rendered HTML of a valid comment text, or an ActionError on field "body"
    (also what a preview shows)."""
    if len(body) > conf.body_max_length():
        raise ActionError(
            f"Your comment is {len(body):,} characters long; the limit is "
            f"{conf.body_max_length():,}. Please shorten it.",
            field="body",
        )
    if not body.strip():
        raise ActionError("Please write a comment.", field="body")
    html = render_markdown(body)
    if not plain_text(html).strip():
        raise ActionError("Please write a comment.", field="body")
    return html


def _check_guest(*, name: str, email: str, website: str) -> None:
    if not name.strip():
        raise ActionError("Please give a name to show with your comment.", field="name")
    if len(name) > conf.name_max_length():
        raise ActionError(
            f"Please use a name of at most {conf.name_max_length()} characters.", field="name"
        )
    if not email.strip():
        raise ActionError("Please give your e-mail address (it is never shown).", field="email")
    try:
        EmailValidator()(email)
    except ValidationError:
        raise ActionError("Please check your e-mail address.", field="email") from None
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise ActionError(
                "Please give a full website address starting with https://.", field="website"
            ) from None
        if len(website) > Comment._meta.get_field("guest_website").max_length:  # type: ignore[operator]
            raise ActionError("That website address is too long.", field="website")


def _check_parent(*, thread: Thread, parent: Comment | None) -> None:
    if parent is None:
        return
    if parent.thread_id != thread.pk:
        raise ActionError("You can only reply to a comment of this discussion.", field="parent")
    if parent.status != Comment.Status.APPROVED:
        raise ActionError(PARENT_REMOVED_MESSAGE, field="parent")


def _check_rate(bucket: str, ip_hash: str, limit_window: tuple[int, int], message: str) -> None:
    # Trusted callers without a client (demo loader, importers) pass no ip_hash.
    if ip_hash:
        limit, window = limit_window
        enforce(bucket, ip_hash, limit=limit, window=window, message=message)


def check_post_comment(
    *,
    thread: Thread,
    actor: Actor,
    body: str,
    parent: Comment | None = None,
    guest_name: str = "",
    guest_email: str = "",
    guest_website: str = "",
    policy: DiscussionPolicy | None = None,
    anchor: Anchor | None = None,
    anchor_texts: AnchorTexts | None = None,
) -> str:
    """Validate and authorise a new comment; returns the body's rendered HTML.

    An `anchor` (inline feedback) is checked against the host's current passages
    (`anchor_texts`, asked from the host when not given); see anchors.check_anchor.
    The rate limit is counted last, so a refused form does not use up an attempt.
    """
    policy = policy or policy_for(thread)
    if thread.is_closed or not policy.enabled:
        raise NotAllowed(CLOSED_MESSAGE)
    if not actor.is_authenticated:
        if not policy.allow_guests:
            raise NotAllowed("Please sign in to comment.")
        _check_guest(name=guest_name, email=guest_email, website=guest_website)
    html = check_comment_body(body)
    _check_parent(thread=thread, parent=parent)
    if anchor is not None and anchor.given:
        check_anchor(
            anchor=anchor,
            texts=anchor_texts if anchor_texts is not None else anchor_texts_for(thread),
            is_reply=parent is not None,
        )
    _check_rate(
        "discussion-post",
        actor.ip_hash,
        conf.post_rate_limit(),
        "You are posting very fast. Please wait a minute and try again; your text is kept.",
    )
    return html


def moderation_submission(
    *,
    thread: Thread,
    actor: Actor,
    body: str,
    guest_email: str = "",
    honeypot: str | None = None,
    rendered_at: str | None = None,
) -> Submission:
    """A new comment as the moderation pipeline sees it, with what needs no write lock
    (the spam service, sanctions) already asked (broadsheet.moderation.pipeline.prepare)."""
    from broadsheet.moderation.pipeline import Submission, prepare

    return prepare(
        Submission(
            thread=thread,
            actor=actor,
            body=body,
            guest_email=guest_email,
            honeypot=honeypot,
            rendered_at=rendered_at,
        )
    )


def initial_status(
    *,
    thread: Thread,
    actor: Actor,
    body: str,
    guest_email: str = "",
    honeypot: str | None = None,
    rendered_at: str | None = None,
    submission: Submission | None = None,
) -> tuple[Comment.Status, str]:
    """(status, reason) a new comment starts with, decided by the moderation pipeline
    (broadsheet.moderation.pipeline); a refusing rule raises its ActionError. honeypot and
    rendered_at come from the HTML form only (None: not checked). A `submission` made
    with ``moderation_submission`` before the transaction is decided on `thread`."""
    from broadsheet.moderation.pipeline import decide

    if submission is None:
        submission = moderation_submission(
            thread=thread,
            actor=actor,
            body=body,
            guest_email=guest_email,
            honeypot=honeypot,
            rendered_at=rendered_at,
        )
    submission.thread = thread
    decision = decide(submission)
    return Comment.Status(decision.verdict.value), decision.reason[:200]


def _tree_position(parent: Comment | None, comment_id: int) -> tuple[int, str]:
    """(depth, path) of a new comment under `parent`."""
    segment = path_segment(comment_id)
    if parent is None:
        return 0, segment
    if parent.depth + 1 < PATH_MAX_SEGMENTS:
        return parent.depth + 1, parent.path + segment
    # The path column is full: continue at the parent's level, right after it in order.
    return parent.depth, parent.path[:-PATH_SEGMENT] + segment


def _count_visible(comment: Comment, delta: int, *, touch: bool = False) -> None:
    """Add `delta` visible comments to the thread and to every ancestor's reply_count."""
    add_to_counts(
        thread_id=comment.thread_id,
        ancestors=path_ids(comment.path)[:-1],
        delta=delta,
        last_comment_at=comment.created_at if touch else None,
    )


def do_post_comment(
    *,
    thread: Thread,
    actor: Actor,
    body: str,
    parent: Comment | None = None,
    guest_name: str = "",
    guest_email: str = "",
    guest_website: str = "",
    policy: DiscussionPolicy | None = None,
    anchor: Anchor | None = None,
    anchor_texts: AnchorTexts | None = None,
    honeypot: str | None = None,
    rendered_at: str | None = None,
) -> Comment:
    """Post a comment (a reply when `parent` is given) and count it.

    With an `anchor`, the comment is about a passage of the host page (inline feedback):
    the block id, the quote as it reads now, its offsets and the host's revision are kept.

    Locks the thread row, re-checks that it is open and that the parent is still
    there, inserts the comment, sets its path from its id, and adds it to the thread's
    comment_count and to each ancestor's reply_count with F() expressions.
    """
    anchored = anchor is not None and anchor.given
    if anchored and anchor_texts is None:
        anchor_texts = anchor_texts_for(thread)
    html = check_post_comment(
        thread=thread,
        actor=actor,
        body=body,
        parent=parent,
        guest_name=guest_name,
        guest_email=guest_email,
        guest_website=guest_website,
        policy=policy,
        anchor=anchor,
        anchor_texts=anchor_texts,
    )
    if anchored and anchor is not None:
        anchor = check_anchor(anchor=anchor, texts=anchor_texts, is_reply=parent is not None)
    else:
        anchor = Anchor()
    guest = not actor.is_authenticated
    submission = moderation_submission(
        thread=thread,
        actor=actor,
        body=body,
        guest_email=guest_email if guest else "",
        honeypot=honeypot,
        rendered_at=rendered_at,
    )
    with transaction.atomic():
        # Compiled reads and plain statements (comment_writes): the ORM building these
        # cost more than SQLite answering them, and all of it held the write lock.
        is_closed, comment_count, thread_key = locked_thread_state(thread.pk)
        if is_closed:
            raise NotAllowed(CLOSED_MESSAGE)
        if parent is not None:
            # Still there and still approved? Only what the checks and the tree read.
            state = parent_state(parent.pk)
            if state is None:
                raise ActionError(PARENT_REMOVED_MESSAGE, field="parent")
            parent.thread_id, parent.status, parent.root_id, parent.depth, parent.path = state
            _check_parent(thread=thread, parent=parent)
        status, reason = initial_status(
            thread=thread, actor=actor, body=body, submission=submission
        )
        comment = Comment(
            thread=thread,
            parent=parent,
            root_id=(parent.root_id or parent.pk) if parent else None,
            author=actor.user if not guest else None,
            guest_name=guest_name.strip() if guest else "",
            guest_email=guest_email.strip() if guest else "",
            guest_website=guest_website.strip() if guest else "",
            guest_reader_id=actor.reader_hash if guest else "",
            body_source=body,
            body_html=html,
            status=status,
            moderation_reason=reason,
            created_at=timezone.now(),
            depth=(parent.depth + 1) if parent else 0,  # final value set on insert
            ip_hash=actor.ip_hash,
            anchor_kind=anchor.kind,
            anchor_block_id=anchor.block_id,
            anchor_quote=anchor.quote,
            anchor_start=anchor.start,
            anchor_end=anchor.end,
            anchor_revision=anchor.revision,
        )
        insert_comment(comment, lambda pk: _tree_position(parent, pk))
        if reason:
            from broadsheet.moderation.audit import record_pipeline_decision

            record_pipeline_decision(comment=comment, reason=reason)
        if comment.status == Comment.Status.APPROVED:
            _count_visible(comment, +1, touch=True)
            _after_commit(
                CommentPosted(
                    thread_id=thread.pk,
                    thread_key=thread_key,
                    comment_id=comment.pk,
                    parent_id=comment.parent_id,
                    root_id=comment.root_id,
                    created_at=comment.created_at,
                )
            )
    thread.comment_count = comment_count + (comment.status == Comment.Status.APPROVED)
    thread.is_closed = is_closed
    return comment


# --- editing and deleting ----------------------------------------------------------------


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + timedelta(seconds=conf.edit_window())


def can_edit(comment: Comment, actor: Actor) -> bool:
    """The author may edit an approved comment within the edit window."""
    return (
        comment.status in (Comment.Status.APPROVED, Comment.Status.PENDING)
        and actor.wrote(comment)
        and timezone.now() <= edit_deadline(comment)
    )


def can_delete(comment: Comment, actor: Actor) -> bool:
    return comment.status != Comment.Status.DELETED and (actor.wrote(comment) or actor.can_moderate)


def check_edit_comment(*, comment: Comment, actor: Actor, body: str) -> str:
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        raise ActionError("This comment can no longer be edited.")
    if not actor.wrote(comment):
        raise NotAllowed("Only the author can edit this comment.")
    if timezone.now() > edit_deadline(comment):
        minutes = conf.edit_window() // 60
        raise NotAllowed(f"Comments can be edited for {minutes} minutes after posting.")
    return check_comment_body(body)


def do_edit_comment(*, comment: Comment, actor: Actor, body: str) -> Comment:
    """Replace the text of a comment (its author, within the edit window); marks it edited."""
    html = check_edit_comment(comment=comment, actor=actor, body=body)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        check_edit_comment(comment=locked, actor=actor, body=body)
        locked.body_source = body
        locked.body_html = html
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body_source", "body_html", "edited_at"])
        _after_commit(
            CommentEdited(
                thread_id=locked.thread_id,
                thread_key=comment.thread.key,
                comment_id=locked.pk,
                edited_at=locked.edited_at,
            )
        )
    return locked


def check_delete_comment(*, comment: Comment, actor: Actor) -> None:
    if comment.status == Comment.Status.DELETED:
        raise ActionError("This comment was already deleted.")
    if not (actor.wrote(comment) or actor.can_moderate):
        raise NotAllowed("Only the author or a moderator can delete this comment.")


def do_delete_comment(*, comment: Comment, actor: Actor) -> Comment:
    """Delete a comment: its text is erased and it leaves the counts.

    It keeps its row and place in the tree, so a comment with replies shows as a
    "[deleted]" placeholder above them; one without replies is no longer shown.
    """
    check_delete_comment(comment=comment, actor=actor)
    with transaction.atomic():
        Thread.objects.select_for_update().filter(pk=comment.thread_id).first()
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        check_delete_comment(comment=locked, actor=actor)
        was_visible = locked.status == Comment.Status.APPROVED
        locked.status = Comment.Status.DELETED
        locked.body_source = ""
        locked.body_html = ""
        locked.save(update_fields=["status", "body_source", "body_html"])
        if was_visible:
            _count_visible(locked, -1)
        _after_commit(
            CommentDeleted(
                thread_id=locked.thread_id,
                thread_key=comment.thread.key,
                comment_id=locked.pk,
                by_moderator=not actor.wrote(locked),
            )
        )
    return locked


# --- moderation ---------------------------------------------------------------------------


def do_set_comment_status(
    *, comment: Comment, status: Comment.Status, reason: str | None = None
) -> tuple[str, Comment]:
    """Move a comment to `status` and keep the counters exact: (previous status, comment).

    The discussion-level write path of moderation: broadsheet.moderation.actions
    authorises (check_*) and writes the audit row in the same transaction; call it
    inside that transaction. Locks the thread row, then the comment row. Becoming
    visible publishes CommentPosted (notifications and caches react as for a new
    comment); leaving visibility publishes CommentDeleted(by_moderator=True), which is
    what a reader sees: the comment is gone from the page.
    """
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=comment.thread_id)
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        previous = locked.status
        fields = ["status"]
        locked.status = status
        if reason is not None:
            locked.moderation_reason = reason[:200]
            fields.append("moderation_reason")
        locked.save(update_fields=fields)
        was_visible = previous == Comment.Status.APPROVED
        is_visible = status == Comment.Status.APPROVED
        if is_visible and not was_visible:
            _count_visible(locked, +1, touch=True)
            _after_commit(
                CommentPosted(
                    thread_id=thread.pk,
                    thread_key=thread.key,
                    comment_id=locked.pk,
                    parent_id=locked.parent_id,
                    root_id=locked.root_id,
                    created_at=locked.created_at,
                )
            )
        elif was_visible and not is_visible:
            _count_visible(locked, -1)
            _after_commit(
                CommentDeleted(
                    thread_id=thread.pk,
                    thread_key=thread.key,
                    comment_id=locked.pk,
                    by_moderator=True,
                )
            )
    return previous, locked


# --- voting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    upvotes: int
    downvotes: int
    score: int
    mine: int


def check_cast_vote(*, comment: Comment, actor: Actor, value: int) -> None:
    if value not in VOTE_VALUES:
        raise ActionError("Choose Upvote or Downvote.", field="value")
    if comment.status != Comment.Status.APPROVED:
        raise ActionError("You can only vote on visible comments.")
    if actor.voter_key is None:
        raise ActionError("Your browser did not keep our cookie; please allow it to vote.")
    if actor.wrote(comment):
        raise NotAllowed("You cannot vote on your own comment.")
    _check_rate(
        "discussion-vote",
        actor.ip_hash,
        conf.vote_rate_limit(),
        "You are voting very fast. Please wait a minute and try again.",
    )


def do_cast_vote(*, comment: Comment, actor: Actor, value: int) -> VoteResult:
    """Set the actor's vote on a comment to +1, -1 or 0 (none): switching and undoing
    included. Locks the voter's vote row and changes the comment's counters with F(),
    so concurrent clicks never lose or double a vote; two first votes of one voter that
    race on the unique constraint are retried."""
    check_cast_vote(comment=comment, actor=actor, value=value)
    voter = actor.voter_key
    assert voter is not None
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _cast_vote(comment, voter, value, actor.ip_hash)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _cast_vote(comment: Comment, voter: str, value: int, ip_hash: str) -> VoteResult:
    # Values, not model instances, and no first(): its ORDER BY and a model per row cost
    # more than the statements themselves here (the ORM is most of a vote's time).
    # Compiled once (compiled.py): building this select cost more than running it.
    existing = list(_vote_queries.get("mine", _my_vote_query).rows([comment.pk, voter]))
    vote_pk, previous = tuple(existing[0]) if existing else (None, 0)
    if value == previous:
        pass
    elif value == 0:
        assert vote_pk is not None
        CommentVote.objects.filter(pk=vote_pk).delete()
    elif vote_pk is None:
        _insert_vote(comment_id=comment.pk, voter=voter, value=value, ip_hash=ip_hash)
    else:
        CommentVote.objects.filter(pk=vote_pk).update(value=value)
    up = int(value == 1) - int(previous == 1)
    down = int(value == -1) - int(previous == -1)
    if up or down:
        upvotes, downvotes, score = _add_votes(comment.pk, up=up, down=down)
    else:
        upvotes, downvotes, score = Comment.objects.values_list(
            "upvotes", "downvotes", "score"
        ).get(pk=comment.pk)
    comment.upvotes, comment.downvotes, comment.score = upvotes, downvotes, score
    if up or down:
        _after_commit(
            VoteChanged(
                thread_id=comment.thread_id,
                thread_key=comment.thread.key,
                comment_id=comment.pk,
                upvotes=upvotes,
                downvotes=downvotes,
                score=score,
            )
        )
    return VoteResult(upvotes=upvotes, downvotes=downvotes, score=score, mine=value)


_vote_queries = CompiledQueries(max_entries=8)


def _my_vote_query() -> CompiledQuery:
    """(pk, value) of one voter's vote on one comment, its row locked (PostgreSQL)."""
    rows = (
        CommentVote.objects.select_for_update()
        .filter(comment_id=sentinel_int(0), voter_key=sentinel_str(1))
        .values_list("pk", "value")
    )
    return compile_query(rows[:1], {sentinel_int(0): 0, sentinel_str(1): 1})


def _insert_vote(*, comment_id: int, voter: str, value: int, ip_hash: str) -> None:
    """The INSERT that CommentVote.objects.create() writes, without building a model
    and its save machinery (no signal listens to votes). A second first vote of the same
    voter still ends on the unique constraint as an IntegrityError (do_cast_vote retries)."""
    meta = CommentVote._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(str(meta.get_field(name).column))  # type: ignore[union-attr]
        for name in ("comment", "voter_key", "value", "ip_hash", "created_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [
                comment_id,
                voter,
                value,
                ip_hash,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )


def _add_votes(comment_id: int, *, up: int, down: int) -> tuple[int, int, int]:
    """Add to a comment's counters and return the new (upvotes, downvotes, score).

    One statement, the F() update the ORM would write with the new totals returned by
    the UPDATE itself (RETURNING: SQLite 3.35+, PostgreSQL), instead of an update and a
    select: this is the hot path of every vote.
    """
    table = connection.ops.quote_name(Comment._meta.db_table)
    pk = connection.ops.quote_name(Comment._meta.pk.column or "id")  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET upvotes = upvotes + %s, downvotes = downvotes + %s, "  # noqa: S608
            f"score = score + %s WHERE {pk} = %s RETURNING upvotes, downvotes, score",
            [up, down, up - down, comment_id],
        )
        upvotes, downvotes, score = cursor.fetchone()
    return int(upvotes), int(downvotes), int(score)
