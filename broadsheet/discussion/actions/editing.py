"""Editing and deleting a comment, and moderation's status changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion import conf
from broadsheet.discussion.actions._shared import STATUS_VERBS, _after_commit, _count_visible
from broadsheet.discussion.actions.posting import check_comment_body
from broadsheet.discussion.events import (
    CommentApproved,
    CommentDeleted,
    CommentEdited,
    CommentFeatured,
    CommentHidden,
    CommentUnfeatured,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.oversight import Change, moderation


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
        raise ActionError(_("This comment can no longer be edited."))
    if not actor.wrote(comment):
        raise NotAllowed(_("Only the author can edit this comment."))
    if timezone.now() > edit_deadline(comment):
        minutes = conf.edit_window() // 60
        raise NotAllowed(
            ngettext(
                "Comments can be edited for %(minutes)d minute after posting.",
                "Comments can be edited for %(minutes)d minutes after posting.",
                minutes,
            )
            % {"minutes": minutes}
        )
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
        raise ActionError(_("This comment was already deleted."))
    if not (actor.wrote(comment) or actor.can_moderate):
        raise NotAllowed(_("Only the author or a moderator can delete this comment."))


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


def check_set_comment_status(*, comment: Comment, actor: Actor, status: str) -> None:
    """Moderators (and the system actor) move a comment between the moderation
    statuses; deleting has its own write path (do_delete_comment)."""
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))
    if status not in STATUS_VERBS:
        raise ActionError(f"Unknown comment status: {status!r}.")
    if comment.status == Comment.Status.DELETED:
        raise ActionError(_("This comment was deleted."))


def do_set_comment_status(
    *,
    comment: Comment,
    actor: Actor,
    status: Comment.Status,
    reason: str | None = None,
    audit_action: str | None = None,
    reports_seen: bool = False,
) -> tuple[str, Comment]:
    """Move a comment to `status`, keep the counters exact and audit it: (previous status,
    comment).

    The one write path of a comment's moderation status, for the moderation queue (a
    moderator), automatic holds after reports (the system actor) and the demo loader.
    Locks the thread row, then the comment row; writes the audit row (``audit_action``,
    else the status's verb: approve, hold, reject, spam) in the same transaction; with
    ``reports_seen`` the comment's report count starts again from 0 (the moderator has
    looked). Publishes after commit what readers see: CommentApproved when it becomes
    visible, CommentHidden when it leaves the page (held, rejected or spam).
    """
    check_set_comment_status(comment=comment, actor=actor, status=status)
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=comment.thread_id)
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        check_set_comment_status(comment=locked, actor=actor, status=status)
        previous = locked.status
        fields = ["status"]
        locked.status = status
        if reason is not None:
            locked.moderation_reason = reason[:200]
            fields.append("moderation_reason")
        if reports_seen:
            locked.report_count = 0
            fields.append("report_count")
        locked.save(update_fields=fields)
        moderation().record(
            Change(
                action=audit_action or STATUS_VERBS[Comment.Status(status)],
                actor=actor,
                thread_id=thread.pk,
                comment=locked,
                reason=reason or "",
                before=previous,
                after=status,
            )
        )
        was_visible = previous == Comment.Status.APPROVED
        is_visible = status == Comment.Status.APPROVED
        if is_visible and not was_visible:
            _count_visible(locked, +1, touch=True)
            _after_commit(
                CommentApproved(
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
                CommentHidden(
                    thread_id=thread.pk,
                    thread_key=thread.key,
                    comment_id=locked.pk,
                    status=str(status),
                )
            )
    return previous, locked


def _check_pick_reason(reason: str) -> str:
    """Featuring and unfeaturing say why, as every moderation change does: the audit log
    keeps it."""
    if not reason.strip():
        raise ActionError(_("Please give a reason: the audit log keeps it."), field="reason")
    return reason.strip()


def check_feature_comment(*, comment: Comment, actor: Actor, reason: str) -> str:
    """Authorise featuring `comment`; returns the reason, cleaned."""
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))
    if comment.status != Comment.Status.APPROVED:
        raise ActionError(_("Only published comments can be featured."))
    return _check_pick_reason(reason)


def check_unfeature_comment(*, comment: Comment, actor: Actor, reason: str) -> str:
    """Authorise unfeaturing `comment`; returns the reason, cleaned."""
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))
    return _check_pick_reason(reason)


def _set_featured(*, comment: Comment, actor: Actor, featured: bool, reason: str) -> Comment:
    with transaction.atomic():
        now = timezone.now() if featured else None
        Comment.objects.filter(pk=comment.pk).update(is_featured=featured, featured_at=now)
        comment.is_featured, comment.featured_at = featured, now
        moderation().record(
            Change(
                action="feature" if featured else "unfeature",
                actor=actor,
                thread_id=comment.thread_id,
                comment=comment,
                reason=reason,
                after=comment.status,
            )
        )
        key = Thread.objects.filter(pk=comment.thread_id).values_list("key", flat=True).get()
        event = CommentFeatured if featured else CommentUnfeatured
        _after_commit(event(thread_id=comment.thread_id, thread_key=key, comment_id=comment.pk))
    return comment


def do_feature_comment(*, comment: Comment, actor: Actor, reason: str) -> Comment:
    """Make a comment an editor's pick (shown under "Featured" with a badge), saying why.
    Audited with the reason; publishes CommentFeatured after commit."""
    reason = check_feature_comment(comment=comment, actor=actor, reason=reason)
    return _set_featured(comment=comment, actor=actor, featured=True, reason=reason)


def do_unfeature_comment(*, comment: Comment, actor: Actor, reason: str) -> Comment:
    """An editor's pick no longer, saying why. Audited with the reason; publishes
    CommentUnfeatured after commit."""
    reason = check_unfeature_comment(comment=comment, actor=actor, reason=reason)
    return _set_featured(comment=comment, actor=actor, featured=False, reason=reason)


def do_count_report(*, comment: Comment) -> int:
    """Add one reader's report to the comment's report count, inside the caller's
    transaction (moderation's do_report_comment, which checks and audits it); returns the
    new count."""
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    count: int = Comment.objects.values_list("report_count", flat=True).get(pk=comment.pk)
    comment.report_count = count
    return count
