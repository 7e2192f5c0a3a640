"""Posting a comment or reply: validation, the moderation decision, the write."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion import conf
from broadsheet.discussion.actions._shared import (
    CLOSED_MESSAGE,
    PARENT_REMOVED_MESSAGE,
    STATUS_VERBS,
    _after_commit,
    _check_rate,
    _count_visible,
)
from broadsheet.discussion.anchors import Anchor, AnchorTexts, anchor_texts_for, check_anchor
from broadsheet.discussion.badges import reserved_name_problem
from broadsheet.discussion.comment_writes import insert_comment, locked_thread_state, parent_state
from broadsheet.discussion.events import CommentPosted
from broadsheet.discussion.formatting import plain_text, render_markdown
from broadsheet.discussion.identity import SYSTEM, Actor
from broadsheet.discussion.models import (
    PATH_MAX_SEGMENTS,
    PATH_SEGMENT,
    Comment,
    Thread,
    path_segment,
)
from broadsheet.discussion.oversight import Change, NewSubmission, is_closed, moderation
from broadsheet.discussion.policy import DiscussionPolicy, policy_for


def check_comment_body(body: str) -> str:
    """The rendered HTML of a valid comment text, or an ActionError on field "body"
    (also what a preview shows)."""
    if len(body) > conf.body_max_length():
        raise ActionError(
            _(
                "Your comment is %(length)s characters long; the limit is %(limit)s. "
                "Please shorten it."
            )
            % {"length": intcomma(len(body)), "limit": intcomma(conf.body_max_length())},
            field="body",
        )
    if not body.strip():
        raise ActionError(_("Please write a comment."), field="body")
    html = render_markdown(body)
    if not plain_text(html).strip():
        raise ActionError(_("Please write a comment."), field="body")
    return html


def _check_guest(*, name: str, email: str, website: str) -> None:
    if not name.strip():
        raise ActionError(_("Please give a name to show with your comment."), field="name")
    if len(name) > conf.name_max_length():
        raise ActionError(
            _("Please use a name of at most %(limit)d characters.")
            % {"limit": conf.name_max_length()},
            field="name",
        )
    if not email.strip():
        raise ActionError(_("Please give your e-mail address (it is never shown)."), field="email")
    try:
        EmailValidator()(email)
    except ValidationError:
        raise ActionError(_("Please check your e-mail address."), field="email") from None
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise ActionError(
                _("Please give a full website address starting with https://."), field="website"
            ) from None
        if len(website) > Comment._meta.get_field("guest_website").max_length:  # type: ignore[operator]
            raise ActionError(_("That website address is too long."), field="website")


@dataclass(frozen=True, slots=True)
class ParentState:
    """What posting reads of the comment replied to: its thread, status and place in the
    tree (from the instance before the transaction, from the row under the lock)."""

    pk: int
    thread_id: int
    status: str
    root_id: int | None
    depth: int
    path: str

    @classmethod
    def of(cls, parent: Comment) -> ParentState:
        return cls(
            parent.pk, parent.thread_id, parent.status, parent.root_id, parent.depth, parent.path
        )


def _check_parent(*, thread: Thread, parent: ParentState | None) -> None:
    if parent is None:
        return
    if parent.thread_id != thread.pk:
        raise ActionError(_("You can only reply to a comment of this discussion."), field="parent")
    if parent.status != Comment.Status.APPROVED:
        raise ActionError(PARENT_REMOVED_MESSAGE, field="parent")


@dataclass(frozen=True)
class NewComment:
    """A comment or reply about to be posted, as the reader sent it (the form and the API
    build it; their schemas validate the text's shape first).

    thread: the discussion; parent: the comment replied to (None: top level).
    body: the Markdown source. guest_*: a guest's name, e-mail (never shown) and website
    (ignored for signed-in readers). anchor: the passage it is about (inline feedback).
    honeypot, rendered_at: the HTML form's anti-bot fields (None: not from the form).
    """

    thread: Thread
    body: str
    parent: Comment | None = None
    guest_name: str = ""
    guest_email: str = ""
    guest_website: str = ""
    anchor: Anchor | None = None
    honeypot: str | None = None
    rendered_at: str | None = None


@dataclass(frozen=True)
class CheckedComment:
    """What check_post_comment worked out, so posting does not work it out again: the
    body's rendered HTML and the anchor as validated (normalised; empty when none)."""

    body_html: str
    anchor: Anchor


def check_post_comment(
    *,
    actor: Actor,
    new: NewComment,
    policy: DiscussionPolicy | None = None,
    anchor_texts: AnchorTexts | None = None,
) -> CheckedComment:
    """Validate and authorise `new`; returns its rendered HTML and validated anchor.

    `policy` and `anchor_texts` are the host's answers when the caller already has them
    (a view asks them once per request); otherwise they are asked here. An anchor (inline
    feedback) is checked against the host's current passages (anchors.check_anchor). The
    rate limit is counted last, so a refused form does not use up an attempt.
    """
    thread = new.thread
    policy = policy or policy_for(thread)
    if is_closed(thread) or not policy.accepts_comments():
        raise NotAllowed(CLOSED_MESSAGE)
    if not actor.is_authenticated:
        if not policy.allow_guests:
            raise NotAllowed(_("Please sign in to comment."))
        _check_guest(name=new.guest_name, email=new.guest_email, website=new.guest_website)
        if problem := reserved_name_problem(new.guest_name, reserved=policy.reserved_names):
            raise ActionError(problem, field="name")
    html = check_comment_body(new.body)
    parent = ParentState.of(new.parent) if new.parent is not None else None
    _check_parent(thread=thread, parent=parent)
    anchor = Anchor()
    if new.anchor is not None and new.anchor.given:
        anchor = check_anchor(
            anchor=new.anchor,
            texts=anchor_texts if anchor_texts is not None else anchor_texts_for(thread),
            is_reply=parent is not None,
        )
    _check_rate(
        "discussion-post",
        actor.ip_hash,
        conf.post_rate_limit(),
        "You are posting very fast. Please wait a minute and try again; your text is kept.",
        # A reader's comments come minutes apart: most are the first of their window.
        first_is_likely=True,
    )
    return CheckedComment(body_html=html, anchor=anchor)


def moderation_submission(
    *,
    thread: Thread,
    actor: Actor,
    body: str,
    guest_email: str = "",
    honeypot: str | None = None,
    rendered_at: str | None = None,
) -> Any:
    """A new comment as the moderation pipeline sees it, with what needs no write lock
    (the spam service, sanctions) already asked (oversight.Moderation.prepare)."""
    return moderation().prepare(
        NewSubmission(
            thread=thread,
            actor=actor,
            body=body,
            guest_email=guest_email,
            honeypot=honeypot,
            rendered_at=rendered_at,
        )
    )


def initial_status(*, thread: Thread, submission: Any) -> tuple[Comment.Status, str]:
    """(status, reason) a new comment starts with, decided by the configured moderation
    (oversight.Moderation.decide) on `thread` as it is under the posting lock, from a
    `submission` made with ``moderation_submission`` before the transaction; a refusing
    rule raises its ActionError."""
    ruling = moderation().decide(submission, thread=thread)
    return Comment.Status(ruling.status), ruling.reason[:200]


def _tree_position(parent: ParentState | None, comment_id: int) -> tuple[int, str]:
    """(depth, path) of a new comment under `parent`."""
    segment = path_segment(comment_id)
    if parent is None:
        return 0, segment
    if parent.depth + 1 < PATH_MAX_SEGMENTS:
        return parent.depth + 1, parent.path + segment
    # The path column is full: continue at the parent's level, right after it in order.
    return parent.depth, parent.path[:-PATH_SEGMENT] + segment


def do_post_comment(
    *,
    actor: Actor,
    new: NewComment,
    policy: DiscussionPolicy | None = None,
    anchor_texts: AnchorTexts | None = None,
) -> Comment:
    """Post `new` (a reply when it has a parent) and count it; returns the stored comment,
    whose ``thread`` is a copy of the thread with its comment count and closed state as
    they are now. Nothing the caller passed is changed.

    With an anchor, the comment is about a passage of the host page (inline feedback):
    the block id, the quote as it reads now, its offsets and the host's revision are kept.

    Locks the thread row, re-reads under the lock what may have changed since the checks
    (the thread closed, the parent removed), inserts the comment, sets its path from its
    id, and adds it to the thread's comment_count and to each ancestor's reply_count with
    F() expressions.
    """
    checked = check_post_comment(actor=actor, new=new, policy=policy, anchor_texts=anchor_texts)
    thread, anchor = new.thread, checked.anchor
    guest = not actor.is_authenticated
    submission = moderation_submission(
        thread=thread,
        actor=actor,
        body=new.body,
        guest_email=new.guest_email if guest else "",
        honeypot=new.honeypot,
        rendered_at=new.rendered_at,
    )
    with transaction.atomic():
        # Compiled reads and plain statements (comment_writes): the ORM building these
        # cost more than SQLite answering them, and all of it held the write lock.
        closed, comment_count, thread_key = locked_thread_state(thread.pk)
        if closed:
            raise NotAllowed(CLOSED_MESSAGE)
        parent: ParentState | None = None
        if new.parent is not None:
            # Still there and still approved? Only what the checks and the tree read.
            state = parent_state(new.parent.pk)
            if state is None:
                raise ActionError(PARENT_REMOVED_MESSAGE, field="parent")
            parent = ParentState(new.parent.pk, *state)
            _check_parent(thread=thread, parent=parent)
        status, reason = initial_status(thread=thread, submission=submission)
        comment = Comment(
            thread_id=thread.pk,
            parent_id=parent.pk if parent else None,
            root_id=(parent.root_id or parent.pk) if parent else None,
            author=actor.user if not guest else None,
            guest_name=new.guest_name.strip() if guest else "",
            guest_email=new.guest_email.strip() if guest else "",
            guest_website=new.guest_website.strip() if guest else "",
            guest_reader_id=actor.reader_hash if guest else "",
            body_source=new.body,
            body_html=checked.body_html,
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
            # The pipeline held or refused it: audited, with no person as the actor.
            moderation().record(
                Change(
                    action=STATUS_VERBS[status],
                    actor=SYSTEM,
                    thread_id=thread.pk,
                    comment=comment,
                    reason=reason,
                    after=status,
                )
            )
        visible = comment.status == Comment.Status.APPROVED
        if visible:
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
    # The caller's thread and parent stay as they were; the comment carries fresh copies.
    comment.thread = copy(thread)
    comment.thread.comment_count = comment_count + visible
    comment.thread.is_closed = closed
    if new.parent is not None:
        comment.parent = new.parent
    return comment
