"""Editing and deleting a comment, and moderation's status changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion import conf
from broadsheet.discussion.actions._shared import _after_commit, _count_visible
from broadsheet.discussion.actions.posting import check_comment_body
from broadsheet.discussion.events import CommentDeleted, CommentEdited, CommentPosted
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread


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
