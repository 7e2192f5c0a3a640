"""The write paths of moderation: every moderation state change goes through one
``do_<verb>_<noun>`` here, after its ``check_<verb>_<noun>``.

Each runs in one transaction that also writes its audit row. Comment status changes go
through broadsheet.discussion.actions.do_set_comment_status, which keeps the thread's
comment_count and ancestors' reply_count exact and publishes the discussion events
after commit (CommentPosted when a held comment is approved). Locks: thread row →
comment row (taken by do_set_comment_status) → report and sanction rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.core.pagecache import bump
from broadsheet.core.ratelimit import enforce
from broadsheet.discussion import actions as discussion_actions
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation import conf
from broadsheet.moderation.audit import record
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.models import AuditEntry, CommenterNote, Report, Sanction

Status = Comment.Status
Action = AuditEntry.Action


def check_moderate_comment(*, comment: Comment | None = None, actor: Actor) -> None:
    if not actor.can_moderate:
        raise NotAllowed("Only moderators can do this.")


def _forget_thread_pages(comment: Comment) -> None:
    key = Thread.objects.filter(pk=comment.thread_id).values_list("key", flat=True).first()
    if key:
        transaction.on_commit(lambda: bump(f"thread:{key}"))


def _set_status(
    *, comment: Comment, actor: Actor, status: Status, action: Action, reason: str
) -> Comment:
    check_moderate_comment(comment=comment, actor=actor)
    with transaction.atomic():
        previous, updated = discussion_actions.do_set_comment_status(
            comment=comment, status=status, reason=reason or None
        )
        # A decision closes the open reports: the moderator has looked.
        Report.objects.filter(comment=updated, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        Comment.objects.filter(pk=updated.pk).update(report_count=0)
        updated.report_count = 0
        record(
            action=action,
            actor=actor.user,
            comment=updated,
            target=Commenter.of_comment(updated).key,
            reason=reason,
            before=previous,
            after=status,
        )
    return updated


def do_approve_comment(*, comment: Comment, actor: Actor, reason: str = "") -> Comment:
    """Publish a held (or reported, or refused) comment; its reports are resolved."""
    return _set_status(
        comment=comment, actor=actor, status=Status.APPROVED, action=Action.APPROVE, reason=reason
    )


def do_reject_comment(*, comment: Comment, actor: Actor, reason: str = "") -> Comment:
    """Take a comment off the page (its author still sees why on their own page)."""
    return _set_status(
        comment=comment, actor=actor, status=Status.REJECTED, action=Action.REJECT, reason=reason
    )


def do_mark_spam(*, comment: Comment, actor: Actor, reason: str = "") -> Comment:
    return _set_status(
        comment=comment, actor=actor, status=Status.SPAM, action=Action.SPAM, reason=reason
    )


def check_feature_comment(*, comment: Comment, actor: Actor) -> None:
    check_moderate_comment(comment=comment, actor=actor)
    if comment.status != Status.APPROVED:
        raise ActionError("Only published comments can be featured.")


def do_feature_comment(*, comment: Comment, actor: Actor) -> Comment:
    """Make a comment an editor's pick (shown under "Featured" with a badge)."""
    check_feature_comment(comment=comment, actor=actor)
    with transaction.atomic():
        now = timezone.now()
        Comment.objects.filter(pk=comment.pk).update(is_featured=True, featured_at=now)
        comment.is_featured, comment.featured_at = True, now
        record(action=Action.FEATURE, actor=actor.user, comment=comment, after=comment.status)
        _forget_thread_pages(comment)
    return comment


def do_unfeature_comment(*, comment: Comment, actor: Actor) -> Comment:
    check_moderate_comment(comment=comment, actor=actor)
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(is_featured=False, featured_at=None)
        comment.is_featured, comment.featured_at = False, None
        record(action=Action.UNFEATURE, actor=actor.user, comment=comment, after=comment.status)
        _forget_thread_pages(comment)
    return comment


# --- reports ---------------------------------------------------------------------------


def check_report_comment(*, comment: Comment, actor: Actor, reason: str) -> None:
    if reason not in Report.Reason.values:
        raise ActionError("Please choose why you report this comment.", field="reason")
    if comment.status != Status.APPROVED:
        raise ActionError("This comment is no longer shown.")
    if actor.voter_key is None:
        raise ActionError("Your browser did not keep our cookie; please allow it to report.")
    if actor.wrote(comment):
        raise NotAllowed("You cannot report your own comment.")
    limit, window = conf.report_rate_limit()
    message = "You have sent many reports. Please wait a while; moderators are on it."
    enforce("moderation-report", actor.voter_key, limit=limit, window=window, message=message)
    if actor.ip_hash:
        enforce("moderation-report-ip", actor.ip_hash, limit=limit, window=window, message=message)


def do_report_comment(*, comment: Comment, actor: Actor, reason: str, note: str = "") -> Report:
    """Record one reader's report (one per reader per comment). The report that reaches
    BROADSHEET_MODERATION_REPORTS_TO_HOLD takes the comment off the page for review."""
    check_report_comment(comment=comment, actor=actor, reason=reason)
    voter = actor.voter_key
    assert voter is not None
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                reporter_key=voter,
                reason=reason,
                note=note.strip()[:500],
                ip_hash=actor.ip_hash,
            )
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            count = Comment.objects.values_list("report_count", flat=True).get(pk=comment.pk)
            comment.report_count = count
            record(
                action=Action.REPORT,
                actor=actor.user,
                comment=comment,
                reason=f"{reason}: {note}"[:300],
                after=comment.status,
            )
            if count >= conf.reports_to_hold() and comment.status == Status.APPROVED:
                previous, _ = discussion_actions.do_set_comment_status(
                    comment=comment, status=Status.PENDING, reason=f"reported {count} times"
                )
                comment.status = Status.PENDING
                record(
                    action=Action.AUTO_HOLD,
                    comment=comment,
                    reason=f"{count} reports",
                    before=previous,
                    after=Status.PENDING,
                )
    except IntegrityError:
        raise ActionError("You already reported this comment. Thank you.") from None
    return report


# --- sanctions -------------------------------------------------------------------------


def check_sanction_commenter(*, commenter: Commenter, actor: Actor) -> None:
    if not actor.can_moderate:
        raise NotAllowed("Only moderators can do this.")
    if commenter.user_id is None and not (commenter.email_hash or commenter.ip_hash):
        raise ActionError("This commenter cannot be identified.")
    if commenter.user_id is not None and commenter.user_id == actor.user_id:
        raise ActionError("You cannot sanction yourself.")


def _sanction(
    *,
    kind: Sanction.Kind,
    action: Action,
    commenter: Commenter,
    actor: Actor,
    reason: str,
    until: datetime | None = None,
    comment: Comment | None = None,
) -> Sanction:
    check_sanction_commenter(commenter=commenter, actor=actor)
    with transaction.atomic():
        sanction = Sanction.objects.create(
            kind=kind,
            user_id=commenter.user_id,
            email_hash=commenter.email_hash if commenter.user_id is None else "",
            ip_hash=commenter.ip_hash if commenter.user_id is None else "",
            until=until,
            reason=reason[:300],
            created_by=actor.user,
        )
        record(action=action, actor=actor.user, target=commenter.key, reason=reason)
        if comment is not None and comment.status != Status.REJECTED:
            _set_status(
                comment=comment,
                actor=actor,
                status=Status.REJECTED,
                action=Action.REJECT,
                reason=reason or f"author {kind.label.lower()}",
            )
    return sanction


def do_ban_commenter(
    *, commenter: Commenter, actor: Actor, reason: str = "", comment: Comment | None = None
) -> Sanction:
    """Ban for good (until lifted); with `comment`, that comment is rejected too."""
    return _sanction(
        kind=Sanction.Kind.BAN,
        action=Action.BAN,
        commenter=commenter,
        actor=actor,
        reason=reason,
        comment=comment,
    )


def do_suspend_commenter(
    *, commenter: Commenter, actor: Actor, until: datetime, reason: str = ""
) -> Sanction:
    if until <= timezone.now():
        raise ActionError("A suspension must end in the future.", field="until")
    return _sanction(
        kind=Sanction.Kind.SUSPENSION,
        action=Action.SUSPEND,
        commenter=commenter,
        actor=actor,
        reason=reason,
        until=until,
    )


def do_shadow_ban_commenter(*, commenter: Commenter, actor: Actor, reason: str = "") -> Sanction:
    """Their new comments are accepted but held where only they see them."""
    return _sanction(
        kind=Sanction.Kind.SHADOW_BAN,
        action=Action.SHADOW_BAN,
        commenter=commenter,
        actor=actor,
        reason=reason,
    )


def do_lift_sanction(*, sanction: Sanction, actor: Actor, reason: str = "") -> Sanction:
    if not actor.can_moderate:
        raise NotAllowed("Only moderators can do this.")
    with transaction.atomic():
        locked = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if locked.lifted_at is not None:
            raise ActionError("This sanction was already lifted.")
        locked.lifted_at = timezone.now()
        locked.save(update_fields=["lifted_at"])
        target = f"u:{locked.user_id}" if locked.user_id else f"g:{locked.email_hash}"
        record(action=Action.LIFT, actor=actor.user, target=target, reason=reason or locked.kind)
    return locked


def do_add_commenter_note(*, commenter: Commenter, actor: Actor, text: str) -> CommenterNote:
    if not actor.can_moderate:
        raise NotAllowed("Only moderators can do this.")
    if not text.strip():
        raise ActionError("Please write a note.", field="text")
    with transaction.atomic():
        note = CommenterNote.objects.create(
            user_id=commenter.user_id,
            email_hash=commenter.email_hash if commenter.user_id is None else "",
            text=text.strip(),
            created_by=actor.user,
        )
        record(action=Action.NOTE, actor=actor.user, target=commenter.key, reason=text[:300])
    return note


# --- discussions -----------------------------------------------------------------------


def do_close_discussion(*, thread: Thread, actor: Actor, reason: str = "") -> Thread:
    """Close a discussion (discussion's do_close_thread) and record it."""
    with transaction.atomic():
        discussion_actions.do_close_thread(thread=thread, actor=actor)
        record(action=Action.CLOSE, actor=actor.user, thread=thread, reason=reason)
    return thread


def do_reopen_discussion(*, thread: Thread, actor: Actor, reason: str = "") -> Thread:
    with transaction.atomic():
        discussion_actions.do_reopen_thread(thread=thread, actor=actor)
        record(action=Action.REOPEN, actor=actor.user, thread=thread, reason=reason)
    return thread


def do_auto_close_old_discussions(*, dry_run: bool = False) -> int:
    """Close every open discussion older than BROADSHEET_MODERATION_AUTO_CLOSE_DAYS (a
    system action: audited without a moderator). Posting checks the age too, so this only
    makes the closed state visible. Returns how many were (or would be) closed."""
    days = conf.auto_close_days()
    if days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    old = Thread.objects.filter(is_closed=False, created_at__lt=cutoff)
    if dry_run:
        return old.count()
    closed = 0
    for thread in old.iterator():
        with transaction.atomic():
            if Thread.objects.filter(pk=thread.pk, is_closed=False).update(is_closed=True):
                closed += 1
                record(action=Action.CLOSE, thread=thread, reason=f"auto-close after {days} days")
                transaction.on_commit(partial(bump, f"thread:{thread.key}", "listings"))
    return closed
